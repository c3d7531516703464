import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { headlessChromium, throwawayLedgerWithDemoYear } from './throwaway';

/**
 * `npm run report:screenshot`: a throwaway ledger with the demo year, and the annual report page
 * photographed in headless Chromium to docs/annual-report.png for the README.
 */
async function main(): Promise<void> {
  const out = process.argv[2] ?? 'docs/annual-report.png';
  const { app, url, keys } = await throwawayLedgerWithDemoYear();
  try {
    const browser = await headlessChromium();
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
