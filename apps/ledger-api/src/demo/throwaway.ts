import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser } from 'playwright-core';
import { loadConfig, type Ledger } from '@complaint-ledger/ledger';
import { createApp } from '../app.factory';
import { LEDGER } from '../infrastructure/tokens';
import { demoYear } from './demo-year';
import { seedThroughApi } from './seed-client';

export interface Throwaway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  /** One fresh key per role. */
  readonly keys: { readonly case_handler: string; readonly auditor: string; readonly analyst: string };
}

/**
 * A ledger on a temporary SQLite file, listening on localhost, with the demo year sent through its
 * public API and the read models caught up: what the screenshot scripts photograph.
 */
export async function throwawayLedgerWithDemoYear(year = 2024, complaints = 400): Promise<Throwaway> {
  const keys = {
    case_handler: randomBytes(24).toString('hex'),
    auditor: randomBytes(24).toString('hex'),
    analyst: randomBytes(24).toString('hex'),
  };
  const config = loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'ledger-demo-')), 'ledger.sqlite'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_API_KEYS: Object.entries(keys)
      .map(([role, key]) => `demo-${role.replace('_', '-')}:${role}:${key}`)
      .join(','),
    LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
    LEDGER_HOMES: `${year}:LCRA=9800,${year}:LCHO=1650`,
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const app = await createApp({ config, logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await seedThroughApi(url, keys.case_handler, demoYear(year, complaints));
  const ledger = app.get<Ledger>(LEDGER);
  await ledger.readSide.runner.catchUp(); // pages read the read models: all of the year in them
  await ledger.sweep(); // the breaches the year's record shows
  await ledger.readSide.runner.catchUp();
  return { app, url, keys };
}

/** Headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium): a development tool, not needed to run the ledger. */
export async function headlessChromium(): Promise<Browser> {
  const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(browserPath)) throw new Error(`${browserPath} not found: apt-get install chromium, or set CHROMIUM_PATH`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
