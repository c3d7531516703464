import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { loadConfig, localSetup } from '@complaint-ledger/ledger';
import { createApp } from './app.factory';
import { ensureLocalKeysFile } from './auth/api-keys';

async function main(): Promise<void> {
  const logger = new Logger('ledger-api');
  let config;
  let app;
  try {
    config = loadConfig(localSetup(process.env, (line) => logger.log(line), ensureLocalKeysFile));
    app = await createApp({ config });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  await app.listen(config.PORT, config.LEDGER_LISTEN_ADDRESS);
  const url = `http://${config.LEDGER_LISTEN_ADDRESS === '127.0.0.1' ? 'localhost' : config.LEDGER_LISTEN_ADDRESS}:${config.PORT}`;
  if (config.LEDGER_STORE === 'sqlite') logger.log(`event store: SQLite file ${resolve(config.LEDGER_SQLITE_PATH)}`);
  else logger.log(`event store: ${config.LEDGER_STORE}`);
  logger.log(`serving ${url} — API docs at ${url}/docs`);
}

void main();
