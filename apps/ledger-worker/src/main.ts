import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { loadConfig } from '../../ledger-api/src/config/ledger-config';
import { createEventStore } from '../../ledger-api/src/infrastructure/event-store.factory';
import { createReadSide } from '../../ledger-api/src/infrastructure/read-side.factory';
import { systemClock } from '../../ledger-api/src/infrastructure/tokens';

/**
 * The worker role: projections kept live and the breach detector sweeping, with no HTTP. Run it
 * beside API replicas started with LEDGER_BREACH_SWEEP_SECONDS=0; two workers are safe (each
 * alert is recorded once), one is enough. Same configuration as the API.
 */
async function main(): Promise<void> {
  const logger = new Logger('ledger-worker');
  let config;
  try {
    config = loadConfig({ LEDGER_BREACH_SWEEP_SECONDS: '60', ...process.env });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  if (config.LEDGER_BREACH_SWEEP_SECONDS === 0) logger.warn('LEDGER_BREACH_SWEEP_SECONDS=0: this worker keeps projections only');
  const store = createEventStore(config, systemClock);
  const readSide = createReadSide(config, store, systemClock, logger);
  await readSide.start();
  logger.log(`projections at position ${readSide.runner.position} in ${resolve(config.projectionsPath)}`);
  logger.log(
    `breach sweeps every ${config.LEDGER_BREACH_SWEEP_SECONDS} s, warnings ${config.LEDGER_WARNING_WORKING_DAYS} working days ahead`,
  );
  const stop = async () => {
    await readSide.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
