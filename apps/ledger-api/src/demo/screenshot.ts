import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createApp } from '../app.factory';
import { loadConfig } from '@complaint-ledger/ledger';
import { demoYear } from './demo-year';
import { seedThroughApi } from './seed-client';
import type { ReadSide } from '@complaint-ledger/projections';
import { READ_SIDE } from '../infrastructure/tokens';

/**
 * `npm run report:screenshot`: a throwaway ledger on a temporary SQLite file, the demo year sent
 * through its public API, and the annual report page photographed in headless Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium) to docs/annual-report.png for the README.
 */
async function main(): Promise<void> {
  const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(browserPath)) throw new Error(`${browserPath} not found: apt-get install chromium, or set CHROMIUM_PATH`);
  const out = process.argv[2] ?? 'docs/annual-report.png';
  const keys = { case_handler: randomBytes(24).toString('hex'), analyst: randomBytes(24).toString('hex') };
  const config = loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'ledger-report-')), 'ledger.sqlite'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_API_KEYS: `demo-system:case_handler:${keys.case_handler},demo-analyst:analyst:${keys.analyst}`,
    LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
    LEDGER_HOMES: '2024:LCRA=9800,2024:LCHO=1650',
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const app = await createApp({ config, logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  try {
    await seedThroughApi(url, keys.case_handler, demoYear(2024, 400));
    await app.get<ReadSide>(READ_SIDE).runner.catchUp(); // the report reads the read models: all of the year in them
    const { chromium } = await import('playwright-core'); // a development tool: not needed to run the ledger
    const browser = await chromium.launch({
      executablePath: browserPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    await page.setExtraHTTPHeaders({ 'x-api-key': keys.analyst });
    await page.goto(`${url}/v1/reports/annual.html?year=2024`);
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    await browser.close();
    console.log(`wrote ${out}`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
