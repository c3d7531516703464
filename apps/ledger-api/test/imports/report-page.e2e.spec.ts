import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumOrSkip } from '../browser';
import { api, KEYS, startApp } from '../support';

/** The import's report as a page, in headless Chromium: what it shows, and an accessibility audit (axe-core), as the console's pages are checked. */
const { browserPath, describeInBrowser } = chromiumOrSkip('the import report page');
jest.setTimeout(120_000);

const EXAMPLES = join(__dirname, '../../../../docs/import');
let app: NestFastifyApplication;
let base: string;
let browser: Browser;
let reportPath: string;

beforeAll(async () => {
  if (!browserPath) return;
  app = await startApp();
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  // the example history, then a row of each kind of refusal, so the page has every section filled
  const file = `${readFileSync(join(EXAMPLES, 'example.csv'), 'utf8')}${[
    'CMP-1002,AcknowledgeComplaint,2024-06-17T10:00:00+01:00,,,,,,,1,Again,,,,,,,,,,,,,',
    'CMP-1004,ReceiveComplaint,2024-06-01T10:00:00+01:00,email,LCRA,sam@example.org,Mould,RES-4004,,,,,,,,,,,,,,,,',
    'CMP-1001,ReceiveComplaint,2024-05-01T10:00:00+01:00,email,LCRA,repairs,Leak under the kitchen sink not repaired,RES-1001,Sam Resident,,,,,,,,,,,,,,,',
  ].join('\n')}\n`;
  const { body } = await api(app, KEYS.admin).post('/v1/imports?name=example.csv').set('content-type', 'text/csv').send(file).expect(202);
  for (;;) {
    const { body: status } = await api(app, KEYS.admin).get(`/v1/imports/${body.id}`).expect(200);
    if (status.status !== 'running') {
      reportPath = status.reports.html;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describeInBrowser('the import report page in headless Chromium', () => {
  it('shows the counts, the refusals by rule with their provision, and the breached deadlines; passes an axe-core audit', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-API-Key': KEYS.admin } });
    const page = await context.newPage();
    await page.goto(`${base}${reportPath}`);
    expect(await page.title()).toBe('Import report: example.csv');
    expect(
      await page
        .getByRole('table', { name: 'What became of each row' })
        .getByRole('row', { name: /Refused/ })
        .textContent(),
    ).toContain('2');
    const refusals = page.getByRole('table', { name: /Rows refused, by the rule they broke/ });
    expect(await refusals.getByRole('row', { name: /STAGE\.ALREADY_ACKNOWLEDGED/ }).textContent()).toContain('6.2 (2024 Code)');
    expect(await refusals.getByRole('row', { name: /IMPORT\.PERSONAL_DATA_IN_CLEAR/ }).count()).toBe(1);
    const skipped = page.getByRole('table', { name: /already holds/ });
    expect(await skipped.getByRole('row', { name: /an earlier row of this file/ }).textContent()).toContain('1');
    const breaches = page.getByRole('table', { name: 'Breached deadlines by complaint' });
    expect(await breaches.getByRole('row', { name: /CMP-1002 Stage 1 response/ }).textContent()).toContain('Not met');

    const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axe);
    type Audit = { violations: { id: string; impact: string; nodes: unknown[] }[]; passes: { id: string }[] };
    const found = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run: (options: object) => Promise<Audit> } }).axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      }),
    )) as Audit;
    // the audit really ran on the page: its title, language, contrast and table headers were checked
    expect(found.passes.map((pass) => pass.id)).toEqual(
      expect.arrayContaining(['document-title', 'html-has-lang', 'color-contrast', 'th-has-data-cells']),
    );
    expect(found.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`)).toEqual([]);
    await context.close();
  });
});
