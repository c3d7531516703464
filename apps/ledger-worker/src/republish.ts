import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Ledger, loadConfig } from '@complaint-ledger/ledger';

/**
 * `npm run relay:republish -- <position>`: the Kafka relay publishes the log again from just after
 * that position (-1: everything) the next time it runs, for a consumer that lost its copy or joined
 * after the topic's retention dropped the start (docs/integration.md, backfill). Stop the worker
 * (or the API running the relay) first: it keeps its own position in memory.
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
  if (!ledger.relay) {
    logger.error('no Kafka relay is configured here (LEDGER_KAFKA_BROKERS unset or LEDGER_RELAY=off)');
    process.exit(2);
  }
  ledger.relay.republishFrom(after);
  logger.log(`the relay will publish again from after position ${ledger.relay.status().position} when it next runs`);
  await ledger.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
