import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Ledger, loadConfig } from '@complaint-ledger/ledger';

/**
 * `npm run relay:republish -- <position>`: the Kafka relay publishes the log again from just after
 * that position (-1: everything) the next time it runs, for a consumer that lost its copy or joined
 * after the topic's retention dropped the start (docs/integration.md, backfill). Stop the process
 * running the relay first (it holds the duties' lease; this takes it for a moment).
 */
async function main(): Promise<void> {
  const logger = new Logger('relay:republish');
  const after = Number(process.argv[2]);
  if (!Number.isInteger(after) || after < -1) {
    logger.error('usage: npm run relay:republish -- <position>   (-1 republishes the whole log)');
    process.exit(2);
  }
  const ledger = Ledger.open(loadConfig({ ...process.env, LEDGER_BREACH_SWEEP_SECONDS: '0' }), {
    role: 'worker',
    loggers: (context) => new Logger(context),
  });
  try {
    const from = await ledger.republishFrom(after);
    logger.log(`the relay will publish again from after position ${from} when it next runs`);
  } catch (error) {
    logger.error((error as Error).message);
    process.exitCode = 2;
  }
  await ledger.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
