import { resolve } from 'node:path';
import { loadConfig, localSetup, logProcessWarnings, openLogging, startTracing, type LedgerConfig } from '@complaint-ledger/ledger';
import { API_SERVICE, createApp } from './app.factory';
import { ensureLocalKeysFile } from './auth/api-keys';

async function main(): Promise<void> {
  const setUp: string[] = []; // what the local set-up did, said once the log's settings are read
  let config: LedgerConfig;
  try {
    config = loadConfig(localSetup(process.env, (line) => setUp.push(line), ensureLocalKeysFile));
  } catch (error) {
    const logger = openLogging(API_SERVICE).loggers('ledger-api');
    setUp.forEach((line) => logger.log(line));
    logger.error((error as Error).message);
    process.exit(1);
  }
  const logging = openLogging(API_SERVICE, config);
  logProcessWarnings(logging.root);
  const logger = logging.loggers('ledger-api');
  setUp.forEach((line) => logger.log(line));
  const tracing = startTracing(API_SERVICE, config, { logger: logging.loggers('tracing') });
  let app;
  try {
    app = await createApp({ config, logger: logging });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  // spans still buffered are sent before the process ends (Nest closes the server on SIGTERM)
  const server = app.getHttpAdapter().getInstance();
  if (tracing) server.addHook('onClose', () => tracing.shutdown());
  await app.listen(config.PORT, config.LEDGER_LISTEN_ADDRESS);
  const url = `http://${config.LEDGER_LISTEN_ADDRESS === '127.0.0.1' ? 'localhost' : config.LEDGER_LISTEN_ADDRESS}:${config.PORT}`;
  if (config.LEDGER_STORE === 'sqlite') logger.log(`event store: SQLite file ${resolve(config.LEDGER_SQLITE_PATH)}`);
  else logger.log(`event store: ${config.LEDGER_STORE}`);
  if (tracing) logger.log(`tracing: OpenTelemetry spans to ${new URL(config.LEDGER_OTLP_TRACES_URL!).host}`);
  logger.log(`serving ${url} — API docs at ${url}/docs`);
}

void main();
