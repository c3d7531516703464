import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ledger, loadConfig } from '@complaint-ledger/ledger';

/** `npm run projections:rebuild`: drop every read model and replay the whole log. Stop the service first. */
async function main(): Promise<void> {
  const logger = new Logger('projections:rebuild');
  const ledger = Ledger.open(loadConfig({ ...process.env, LEDGER_BREACH_SWEEP_SECONDS: '0' }), {
    role: 'worker',
    loggers: (context) => new Logger(context),
  });
  const started = performance.now();
  const position = await ledger.readSide.runner.rebuild();
  const seconds = (performance.now() - started) / 1000;
  logger.log(`rebuilt ${resolve(ledger.config.projectionsPath)} to position ${position} in ${seconds.toFixed(2)} s`);
  await ledger.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
