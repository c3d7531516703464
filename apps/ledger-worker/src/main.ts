import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { loadConfig } from '../../ledger-api/src/config/ledger-config';
import { createEventStore } from '../../ledger-api/src/infrastructure/event-store.factory';
import { createReadSide } from '../../ledger-api/src/infrastructure/read-side.factory';
import { createRelay } from '../../ledger-api/src/infrastructure/relay.factory';
import { systemClock } from '../../ledger-api/src/infrastructure/tokens';
import { readiness } from '../../ledger-api/src/health/readiness';
import { startHealthServer } from './health-server';
import { localSetup } from '../../ledger-api/src/local-setup';
import { startRetention } from '../../ledger-api/src/infrastructure/privacy.factory';

/**
 * The worker role: projections kept live, the breach detector sweeping and, with Kafka configured,
 * the relay publishing the log; no API, only health endpoints. Run it beside API replicas started
 * with LEDGER_BREACH_SWEEP_SECONDS=0 and LEDGER_RELAY=off; two workers are safe (each alert is
 * recorded once; messages are at-least-once either way), one is enough. Same configuration as the API.
 */
async function main(): Promise<void> {
  const logger = new Logger('ledger-worker');
  let config;
  try {
    config = loadConfig(localSetup({ LEDGER_BREACH_SWEEP_SECONDS: '60', ...process.env }, (line) => logger.log(line), { apiKeys: false }));
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  if (config.LEDGER_BREACH_SWEEP_SECONDS === 0) logger.warn('LEDGER_BREACH_SWEEP_SECONDS=0: this worker keeps projections only');
  const store = createEventStore(config, systemClock);
  const readSide = createReadSide(config, store, systemClock, { logger });
  const relay = createRelay(config, store, readSide, systemClock);
  await readSide.start();
  relay?.start();
  const retention = startRetention(config, store, readSide, systemClock, logger);
  const health = config.LEDGER_WORKER_PORT
    ? await startHealthServer(config.LEDGER_WORKER_PORT, () => readiness(store, readSide, relay))
    : null;
  logger.log(`projections at position ${readSide.runner.position} in ${resolve(config.projectionsPath)}`);
  logger.log(
    `breach sweeps every ${config.LEDGER_BREACH_SWEEP_SECONDS} s, warnings ${config.LEDGER_WARNING_WORKING_DAYS} working days ahead`,
  );
  logger.log(
    relay ? `publishing to Kafka at ${config.kafkaBrokers.join(',')}` : 'no Kafka relay (LEDGER_KAFKA_BROKERS unset or LEDGER_RELAY=off)',
  );
  if (health) logger.log(`health at http://localhost:${config.LEDGER_WORKER_PORT}/health/ready`);
  const stop = async () => {
    health?.close();
    retention?.stop();
    await relay?.stop();
    await readSide.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
