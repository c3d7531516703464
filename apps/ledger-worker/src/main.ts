import 'reflect-metadata';
import { resolve } from 'node:path';
import { Ledger, loadConfig, localSetup, logProcessWarnings, openLogging, startTracing, type LedgerConfig } from '@complaint-ledger/ledger';
import { startHealthServer } from './health-server';

const WORKER_SERVICE = 'complaint-ledger-worker';

/**
 * The worker role: projections kept live, the deadline detector sweeping, retention and, with
 * Kafka configured, the relay publishing the log; no API, only health endpoints. Run it beside API
 * replicas started with LEDGER_BREACH_SWEEP_SECONDS=0 and LEDGER_RELAY=off; two workers are safe
 * (each alert is recorded once; messages are at-least-once either way), one is enough.
 */
async function main(): Promise<void> {
  const setUp: string[] = []; // what the local set-up did, said once the log's settings are read
  let config: LedgerConfig;
  try {
    config = loadConfig(localSetup({ LEDGER_BREACH_SWEEP_SECONDS: '60', ...process.env }, (line) => setUp.push(line)));
  } catch (error) {
    const logger = openLogging(WORKER_SERVICE).loggers('ledger-worker');
    setUp.forEach((line) => logger.log(line));
    logger.error((error as Error).message);
    process.exit(1);
  }
  const logging = openLogging(WORKER_SERVICE, config);
  logProcessWarnings(logging.root);
  const logger = logging.loggers('ledger-worker');
  setUp.forEach((line) => logger.log(line));
  const tracing = startTracing(WORKER_SERVICE, config, { logger: logging.loggers('tracing') });
  let ledger: Ledger;
  try {
    ledger = Ledger.open(config, { role: 'worker', loggers: logging.loggers });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  if (config.LEDGER_BREACH_SWEEP_SECONDS === 0) logger.warn('LEDGER_BREACH_SWEEP_SECONDS=0: this worker keeps projections only');
  await ledger.start();
  const health = config.LEDGER_WORKER_PORT
    ? await startHealthServer(config.LEDGER_WORKER_PORT, config.LEDGER_LISTEN_ADDRESS, () => ledger.readiness(), {
        registry: ledger.metrics.registry,
        key: config.LEDGER_METRICS_KEY,
      })
    : null;
  logger.log(`projections at position ${ledger.readSide.runner.position} in ${resolve(config.projectionsPath)}`);
  logger.log(
    `deadline sweeps every ${config.LEDGER_BREACH_SWEEP_SECONDS} s, warnings ${config.LEDGER_WARNING_WORKING_DAYS} working days ahead`,
  );
  logger.log(
    ledger.relay
      ? `publishing to Kafka at ${config.kafkaBrokers.join(',')}`
      : 'no Kafka relay (LEDGER_KAFKA_BROKERS unset or LEDGER_RELAY=off)',
  );
  if (health) logger.log(`health at http://localhost:${config.LEDGER_WORKER_PORT}/health/ready`);
  const stop = async () => {
    health?.close();
    await ledger.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
