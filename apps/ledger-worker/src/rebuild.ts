import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../ledger-api/src/config/ledger-config';
import { createEventStore } from '../../ledger-api/src/infrastructure/event-store.factory';
import { createReadSide } from '../../ledger-api/src/infrastructure/read-side.factory';
import { systemClock } from '../../ledger-api/src/infrastructure/tokens';

/** `npm run projections:rebuild`: drop every read model and replay the whole log. Stop the service first. */
async function main(): Promise<void> {
  const logger = new Logger('projections:rebuild');
  const config = loadConfig({ ...process.env, LEDGER_BREACH_SWEEP_SECONDS: '0' });
  const store = createEventStore(config, systemClock);
  const readSide = createReadSide(config, store, systemClock, { logger });
  const started = performance.now();
  const position = await readSide.runner.rebuild();
  const seconds = (performance.now() - started) / 1000;
  logger.log(`rebuilt ${resolve(config.projectionsPath)} to position ${position} in ${seconds.toFixed(2)} s`);
  await readSide.stop();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
