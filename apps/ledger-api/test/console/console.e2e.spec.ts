import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKeyFile } from '../../../../libs/ledger/test/support/signing-key';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../../src/infrastructure/tokens';
import { chromiumOrSkip } from '../browser';
import { api, complaintBody, KEYS, startApp } from '../support';
import { scaled } from '../../../../test/support/timeouts';

/**
 * The console in a real browser: sign in, find a complaint, replay its timeline, see what each
 * role may see, sign out; and an accessibility audit (axe-core) of every page.
 */
const { browserPath, describeInBrowser } = chromiumOrSkip('console');
jest.setTimeout(scaled(120_000));

const RESIDENT = 'Sam Resident';
let app: NestFastifyApplication;
let base: string;
let browser: Browser;
let complaintId: string;

beforeAll(async () => {
  if (!browserPath) return;
  // signing checkpoints: the evidence pack proves the complaint against a signed tree head
  const keys = mkdtempSync(join(tmpdir(), 'console-keys-'));
  app = await startApp(
    { LEDGER_HOMES: '2024:LCRA=1000,2024:LCHO=500', LEDGER_SIGNING_KEY_FILE: signingKeyFile(keys) },
    () => '2026-11-23T12:00:00.000Z',
  );
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const http = () => api(app);
  complaintId = (
    await http()
      .post('/v1/complaints')
      .send(complaintBody({ receivedAt: '2024-05-01T10:00:00+01:00' }))
      .expect(201)
  ).body.id;
  // due Thu 9 May; acknowledged on the 13th, two working days late
  await http()
    .post(`/v1/complaints/${complaintId}/acknowledgements`)
    .send({ stage: 1, acknowledgedAt: '2024-05-13T10:00:00+01:00', complaintDefinition: `Leak; ${RESIDENT} wants it fixed` })
    .expect(200);
  await http()
    .post(`/v1/complaints/${complaintId}/responses`)
    .send({
      stage: 1,
      respondedAt: '2024-05-20T10:00:00+01:00',
      decision: 'upheld',
      reasons: 'Late repair',
      outstandingActions: [],
      escalationRightsGiven: true,
    })
    .expect(200);
  const ledger = app.get<Ledger>(LEDGER);
  await ledger.readSide.runner.catchUp();
  await ledger.sweep();
  await ledger.readSide.runner.catchUp();
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(key: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/console`);
  expect(page.url()).toBe(`${base}/console/sign-in`);
  await page.getByLabel('API key or token').fill(key);
  await Promise.all([page.waitForURL(/\/console\/(complaints|breaches)$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

const statusOf = (page: Page, deadline: string) =>
  page
    .locator('tr', { has: page.locator('th', { hasText: deadline }) })
    .locator('.tag')
    .textContent();

describeInBrowser('the console in headless Chromium', () => {
  it('signs an auditor in with a cookie, never the key in a URL or the page; finds the complaint; replays its timeline', async () => {
    const page = await signIn(KEYS.auditor);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'ledger_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.value).not.toContain(KEYS.auditor);

    await page.getByLabel('Received from').fill('2024-05-01');
    await page.getByLabel('Received to').fill('2024-05-01');
    await Promise.all([page.waitForURL(/receivedFrom=2024-05-01/), page.getByRole('button', { name: 'Show complaints' }).click()]);
    await Promise.all([
      page.waitForURL(new RegExp(`/console/complaints/${complaintId}$`)),
      page.getByRole('link', { name: complaintId }).click(),
    ]);
    expect(await statusOf(page, 'Stage 1 acknowledgement')).toMatch(/Met late, 2 working days late/);
    expect(await page.locator('svg.timeline rect').count()).toBeGreaterThanOrEqual(2);
    expect(await page.content()).toContain(RESIDENT); // an auditor reads what was recorded

    // the replay control, by keyboard: back to the receipt, before the acknowledgement
    const slider = page.getByRole('slider', { name: 'As it stood after' });
    await slider.focus();
    await Promise.all([page.waitForURL(/step=0/), page.keyboard.press('Home')]);
    expect(await statusOf(page, 'Stage 1 acknowledgement')).toBe('Pending');
    expect(await page.getByRole('slider', { name: 'As it stood after' }).getAttribute('aria-valuetext')).toMatch(/Complaint received/);
    // forward a fact at a time, to the acknowledgement: met late
    await Promise.all([page.waitForURL(/step=1/), page.getByRole('link', { name: 'Later fact' }).click()]);
    expect(await statusOf(page, 'Stage 1 acknowledgement')).toMatch(/Met late/);

    const download = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /auditor's export/ }).click()]);
    const exported = JSON.parse(readFileSync((await download[0].path())!, 'utf8'));
    expect(exported).toMatchObject({ complaint: { id: complaintId }, integrity: { valid: true } });
    const pack = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /evidence pack/ }).click()]);
    const zip = readFileSync((await pack[0].path())!);
    expect(pack[0].suggestedFilename()).toBe(`evidence-pack-${complaintId}.zip`);
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    expect(zip.includes('complaint-file.pdf')).toBe(true);

    expect(urls.filter((url) => url.includes(KEYS.auditor))).toEqual([]);
    expect(urls.every((url) => url.startsWith(base))).toBe(true);
    await page.context().close();
  });

  it('draws a corrected fact on the timeline where the correction puts it, as its table and replay do', async () => {
    const http = () => api(app);
    const id = (
      await http()
        .post('/v1/complaints')
        .send(complaintBody({ receivedAt: '2024-06-03T10:00:00+01:00' }))
        .expect(201)
    ).body.id;
    await http()
      .post(`/v1/complaints/${id}/acknowledgements`)
      .send({ stage: 1, acknowledgedAt: '2024-06-17T10:00:00+01:00', complaintDefinition: 'Leak' })
      .expect(200);
    await http()
      .post(`/v1/complaints/${id}/corrections`)
      .send({
        revision: 1,
        reason: 'Keyed wrongly',
        replacement: { stage: 1, acknowledgedAt: '2024-06-05T10:00:00+01:00', complaintDefinition: 'Leak' },
      })
      .expect(200);
    const page = await signIn(KEYS.auditor);
    await page.goto(`${base}/console/complaints/${id}`);
    const drawn = await page.locator('svg.timeline circle.fact title').allTextContents();
    expect(drawn).toEqual([expect.stringMatching(/^Complaint received, 3 Jun 2024/), expect.stringMatching(/^Acknowledged, 5 Jun 2024/)]);
    expect(drawn.join()).not.toContain('17 Jun');
    expect(await statusOf(page, 'Stage 1 acknowledgement')).toBe('Met');
    await page.context().close();
  });

  it('shows an analyst breaches, statistics and the report, never a resident name, and no complaint', async () => {
    const page = await signIn(KEYS.analyst);
    expect(page.url()).toBe(`${base}/console/breaches`);
    const seen: string[] = [];
    for (const path of [
      '/console/breaches?includeRetracted=true',
      '/console/statistics?year=2024',
      '/console/report?year=2024',
      '/console/report/page?year=2024',
    ]) {
      const response = await page.goto(`${base}${path}`);
      expect([path, response?.status()]).toEqual([path, 200]);
      seen.push(await page.content());
    }
    expect(seen[0]).toContain(complaintId); // the breach is listed, by id only
    // with how late it was: acknowledged on Mon 13 May, due Thu 9 May
    await page.goto(`${base}/console/breaches`);
    const headers = (await page.locator('thead th').allTextContents()).map((text) => text.trim());
    const cells = (await page.locator('tbody tr', { hasText: complaintId }).locator('td').allTextContents()).map((text) => text.trim());
    expect(cells[headers.indexOf('Working days late')]).toBe('2');
    const refused = await page.goto(`${base}/console/complaints/${complaintId}`);
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toMatch(
      /^\s*This page is for case handlers and auditors; you are signed in as analytics \(analyst\)\. Sign out and sign in with a key for one of those roles to open it\.\s*$/,
    );
    seen.push(await page.content());
    for (const content of seen) expect(content).not.toContain(RESIDENT);
    await page.context().close();
  });

  it('opens TSM and the report on the latest year with complaints, not the year running now, and shows the report in full', async () => {
    const page = await signIn(KEYS.analyst);
    for (const path of ['/console/statistics', '/console/report']) {
      await page.goto(`${base}${path}`);
      expect([path, await page.getByLabel('Reporting year', { exact: true }).inputValue()]).toEqual([path, '2024']); // it is 2026/27 by the clock
    }
    // on the page itself, every section to the last, not in a frame of fixed height
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await page.locator('.report h3').allTextContents()).toEqual(
      expect.arrayContaining(['1. Volumes', '9. Self-assessment evidence: Section 6 timescales']),
    );
    expect(await page.locator('.report').textContent()).toContain('figures as at 31 Mar 2025, 23:59 BST');
    await page.context().close();
  });

  it('says on the sign-in page which role sees what, and beside the replay control what it does', async () => {
    const signInPage = await (await fetch(`${base}/console/sign-in`)).text();
    expect(signInPage).toContain("Sign in with an <strong>auditor's</strong> key to see everything the console shows");
    expect(signInPage).toMatch(/<strong>analysts<\/strong>: Breaches, TSM statistics, Annual report/);
    const page = await signIn(KEYS.auditor);
    await page.goto(`${base}/console/complaints/${complaintId}`);
    const help = await page.locator('#replay-help').textContent();
    expect(help?.replace(/\s+/g, ' ').trim()).toMatch(/^To see this complaint as it was at an earlier moment, move the slider [^.]+\.$/); // one sentence
    expect(await page.getByRole('slider', { name: 'As it stood after' }).getAttribute('aria-describedby')).toBe('step-label');
    expect(await page.locator('form.replay').first().getAttribute('aria-describedby')).toBe('replay-help');
    await page.context().close();
  });

  it('serves pages under a strict Content Security Policy, and takes a form body on /console only', async () => {
    const response = await fetch(`${base}/console/sign-in`);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("frame-ancestors 'none'");
    expect(await response.text()).not.toMatch(/<script>|style="/);
    const form = await fetch(`${base}/v1/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': KEYS.all },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const wrong = await fetch(`${base}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'credential=nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a sign-in form another site makes the browser post (login CSRF): no sign-in, no cookie', async () => {
    // the attacker's page, on another origin, posts its own key into the console as soon as it loads
    const attacker = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<form method="post" action="${base}/console/sign-in"><input name="credential" value="${KEYS.case_handler}"></form>` +
            '<script>document.forms[0].submit()</script>',
        ),
    );
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const answered = page.waitForResponse((response) => response.url() === `${base}/console/sign-in`);
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      expect((await answered).status()).toBe(403);
      expect(await context.cookies(base)).toEqual([]);
    } finally {
      await context.close();
      attacker.close();
    }
  });

  it('signs out, after which the old cookie is refused', async () => {
    const page = await signIn(KEYS.case_handler);
    const [cookie] = await page.context().cookies();
    await Promise.all([page.waitForURL(/\/console\/sign-in$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    const replayed = await fetch(`${base}/console/complaints`, {
      headers: { cookie: `ledger_console=${cookie!.value}` },
      redirect: 'manual',
    });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toBe('/console/sign-in');
    await page.context().close();
  });

  it('passes an axe-core audit with no serious or critical violation on every page', async () => {
    const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const page = await signIn(KEYS.auditor);
    const pages = [
      '/console/sign-in',
      '/console/complaints',
      `/console/complaints/${complaintId}`,
      `/console/complaints/${complaintId}?step=0`,
      '/console/breaches?includeRetracted=true',
      '/console/statistics?year=2024',
      '/console/statistics',
      '/console/report',
      '/console/report/page?year=2024',
    ];
    const violations: string[] = [];
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      await page.evaluate(axe);
      type Audit = { violations: { id: string; impact: string; nodes: unknown[] }[]; passes: unknown[] };
      const found = (await page.evaluate(() =>
        (globalThis as unknown as { axe: { run: (options: object) => Promise<Audit> } }).axe.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        }),
      )) as Audit;
      expect([path, found.passes.length > 10]).toEqual([path, true]); // the audit really ran on a page with content
      for (const v of found.violations)
        if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${path}: ${v.id} (${v.impact}, ${v.nodes.length})`);
    }
    expect(violations).toEqual([]);
    await page.context().close();
  });
});
