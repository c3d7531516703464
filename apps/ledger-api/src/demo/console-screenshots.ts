import { mkdirSync } from 'node:fs';
import { headlessChromium, throwawayLedgerWithDemoYear } from './throwaway';

/**
 * `npm run console:screenshots`: a throwaway ledger with the demo year (one acknowledgement
 * corrected, so a correction shows), photographed page by page as an auditor sees the console,
 * to docs/console-*.png for the README, the sign-in page first.
 */
async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'docs';
  const { app, url, keys } = await throwawayLedgerWithDemoYear();
  try {
    const headers = { 'x-api-key': keys.case_handler, 'content-type': 'application/json' };
    const list = (await (await fetch(`${url}/v1/complaints?status=closed&limit=1`, { headers })).json()) as { items: { id: string }[] };
    const id = list.items[0]!.id;
    const history = (await (await fetch(`${url}/v1/complaints/${id}/history`, { headers: { 'x-api-key': keys.auditor } })).json()) as {
      events: { revision: number; type: string; data: { stage?: number; acknowledgedAt?: string } }[];
    };
    const acknowledgement = history.events.find((e) => e.type === 'Acknowledged' && e.data.stage === 1);
    if (acknowledgement) {
      const later = new Date(Date.parse(acknowledgement.data.acknowledgedAt!) + 3_600_000).toISOString();
      await fetch(`${url}/v1/complaints/${id}/corrections`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          revision: acknowledgement.revision,
          reason: 'The acknowledgement letter went out an hour later than keyed',
          replacement: { stage: 1, acknowledgedAt: later, complaintDefinition: 'As defined in the acknowledgement letter' },
        }),
      });
    }
    const browser = await headlessChromium();
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    mkdirSync(dir, { recursive: true });
    await page.goto(`${url}/console/sign-in`);
    await page.screenshot({ path: `${dir}/console-sign-in.png`, fullPage: true });
    console.log(`wrote ${dir}/console-sign-in.png`);
    await page.getByLabel('API key or token').fill(keys.auditor);
    await Promise.all([page.waitForURL(/\/console\/complaints$/), page.getByRole('button', { name: 'Sign in' }).click()]);
    // statistics and the report as they open, on the latest year with complaints (the demo's), not the year running now
    const shots: [string, string][] = [
      ['complaints', '/console/complaints?receivedFrom=2024-04-01'],
      ['timeline', `/console/complaints/${id}`],
      ['breaches', '/console/breaches'],
      ['statistics', '/console/statistics'],
      ['report', '/console/report'],
    ];
    for (const [name, path] of shots) {
      await page.goto(`${url}${path}`);
      await page.screenshot({ path: `${dir}/console-${name}.png`, fullPage: true });
      console.log(`wrote ${dir}/console-${name}.png`);
    }
    await browser.close();
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
