import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Holidays from 'date-holidays';
import { chromium } from 'playwright-core';
import { demoYear, type PlannedComplaint } from '../src/demo/demo-year';
import { seedThroughApi } from '../src/demo/seed-client';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { chromiumOrSkip } from './browser';
import { api, KEYS, NOW, startApp } from './support';
import { scaled } from '../../../test/support/timeouts';

/**
 * The annual report (Code 8.1) on a generated year sent through the public API. Every figure
 * checked here is computed again in this file from the plan itself — dates as the housing
 * system sent them, working days from the date-holidays library — not with the ledger's code.
 */
const YEAR = 2024;
const FROM = '2024-04-01';
const TO = '2025-03-31';
const plan = demoYear(YEAR, 180, 7);
jest.setTimeout(scaled(120_000));

let app: NestFastifyApplication;
let base: string;
let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  app = await startApp({ LEDGER_HOMES: '2024:LCRA=2000,2024:LCHO=400' });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
  await seedThroughApi(base.replace('[::1]', '127.0.0.1'), KEYS.case_handler, plan, NOW);
  await app.get<Ledger>(LEDGER).readSide.runner.catchUp(); // read models are eventually consistent: all of the year in them
  await api(app).get('/v1/complaints').expect(200);
  report = (await api(app, KEYS.analyst).get(`/v1/reports/annual?year=${YEAR}`).expect(200)).body;
});
afterAll(async () => app.close());

// ---- independent computations from the plan ----
const inYear = (date: string) => date >= FROM && date <= TO;
const bankHolidays = new Set(
  [2024, 2025].flatMap((y) =>
    new Holidays('GB', 'ENG')
      .getHolidays(y)
      .filter((h) => h.type === 'public')
      .map((h) => h.date.slice(0, 10)),
  ),
);
function workingDaysBetween(from: string, to: string): number {
  let days = 0;
  for (let t = Date.parse(`${from}T12:00:00Z`) + 86_400_000; t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000) {
    const date = new Date(t);
    const iso = date.toISOString().slice(0, 10);
    if (date.getUTCDay() !== 0 && date.getUTCDay() !== 6 && !bankHolidays.has(iso)) days += 1;
  }
  return days;
}
const steps = (kind: string, complaint: PlannedComplaint) => complaint.steps.filter((s) => s.kind === kind);
const accepted = plan.filter((c) => inYear(c.receivedOn) && !steps('notAccept', c).length);
const count = <T>(items: readonly T[], key: (item: T) => string) => {
  const map: Record<string, number> = {};
  for (const item of items) map[key(item)] = (map[key(item)] ?? 0) + 1;
  return map;
};
const asRecord = (tallies: { label: string; count: number }[]) =>
  Object.fromEntries(tallies.filter((t) => t.count).map((t) => [t.label, t.count]));
const stage = (n: number) => (s: { body: Record<string, unknown> }) => s.body.stage === n;

describe('GET /v1/reports/annual (JSON) on a generated year', () => {
  it('counts volumes by month, category, channel and tenure', () => {
    expect(report.volumes.stage1).toBe(accepted.length);
    expect(report.volumes.byMonth.map((m: { stage1: number }) => m.stage1)).toEqual(
      Array.from(
        { length: 12 },
        (_, i) => accepted.filter((c) => c.receivedOn.slice(0, 7) === new Date(Date.UTC(YEAR, 3 + i, 1)).toISOString().slice(0, 7)).length,
      ),
    );
    expect(asRecord(report.volumes.byCategory)).toEqual(count(accepted, (c) => c.receive.category));
    expect(asRecord(report.volumes.byChannel)).toEqual(count(accepted, (c) => c.receive.channel));
    const escalated = plan.filter((c) => steps('escalate', c).some((s) => inYear(s.on)) && !steps('refuse', c).length);
    expect(report.volumes.stage2).toBe(escalated.length);
    expect(report.volumes.byTenure).toEqual([
      {
        label: 'LCRA',
        stage1: accepted.filter((c) => c.receive.tenure === 'LCRA').length,
        stage2: escalated.filter((c) => c.receive.tenure === 'LCRA').length,
      },
      {
        label: 'LCHO',
        stage1: accepted.filter((c) => c.receive.tenure === 'LCHO').length,
        stage2: escalated.filter((c) => c.receive.tenure === 'LCHO').length,
      },
    ]);
  });

  it('counts outcomes, extensions, non-acceptance and refusals by ground', () => {
    for (const n of [1, 2]) {
      const responses = plan.flatMap((c) => steps('respond', c).filter(stage(n))).filter((s) => inYear(s.on));
      expect(asRecord(report.outcomes[`stage${n}`])).toEqual(count(responses, (s) => String(s.body.decision)));
    }
    const extensions = plan.flatMap((c) => steps('extend', c)).filter((s) => inYear(s.on));
    expect(report.extensions.stage1).toBe(extensions.length);
    expect(asRecord(report.extensions.reasons)).toEqual(count(extensions, (s) => String(s.body.reason)));
    const notAccepted = plan.flatMap((c) => steps('notAccept', c)).filter((s) => inYear(s.on));
    expect(report.notAccepted.total).toBe(notAccepted.length);
    expect(asRecord(report.notAccepted.byGround)).toEqual(count(notAccepted, (s) => String(s.body.ground)));
    const refused = plan.flatMap((c) => steps('refuse', c)).filter((s) => inYear(s.on));
    expect(asRecord(report.escalationsRefused.byGround)).toEqual(count(refused, (s) => String(s.body.ground)));
  });

  it('totals remedies by type and amount, and finds those overdue at the year end', () => {
    type Remedy = { type: string; amountPence?: number; dueBy?: string };
    const offered = plan.flatMap((c) =>
      steps('respond', c)
        .filter((s) => inYear(s.on))
        .flatMap((s) => ((s.body.remedies as Remedy[] | undefined) ?? []).map((r, index) => ({ ...r, index, complaint: c }))),
    );
    expect(report.remedies.offered).toBe(offered.length);
    expect(asRecord(report.remedies.byType)).toEqual(count(offered, (r) => r.type));
    expect(report.remedies.financialTotalPence).toBe(offered.reduce((sum, r) => sum + (r.amountPence ?? 0), 0));
    const completedBy = (r: (typeof offered)[number]) => steps('completeRemedy', r.complaint).find((s) => s.remedyIndex === r.index)?.on;
    expect(report.remedies.completed).toBe(offered.filter((r) => (completedBy(r) ?? '9999') <= TO).length);
    const overdue = offered.filter((r) => r.dueBy && r.dueBy < TO && !((completedBy(r) ?? '9999') <= TO));
    expect(report.remedies.overdue).toHaveLength(overdue.length);
  });

  it('measures working days to acknowledge, and the Code 6.2-style compliance figure, with an independent calendar', () => {
    const acknowledged = plan
      .flatMap((c) =>
        steps('acknowledge', c)
          .filter(stage(1))
          .map((s) => ({ c, s })),
      )
      .filter(({ s }) => inYear(s.on));
    const days = acknowledged.map(({ c, s }) => workingDaysBetween(c.receivedOn, s.on));
    const band = (low: number, high: number) => days.filter((d) => d >= low && d <= high).length;
    expect(report.timeliness[0]).toMatchObject({ stage: 1, what: 'acknowledge', total: days.length });
    expect(report.timeliness[0].buckets.map((b: { count: number }) => b.count)).toEqual([
      band(0, 2),
      band(3, 5),
      band(6, 10),
      band(11, 1e9),
    ]);
    const ack = report.selfAssessment.find((p: { requirement: string }) => /Stage 1 complaints acknowledged/.test(p.requirement));
    const within = days.filter((d) => d <= 5).length;
    expect(ack).toMatchObject({ met: within, total: days.length, percent: Math.round((within / days.length) * 1000) / 10 });
    expect(report.findings.length).toBeGreaterThan(0); // late acknowledgements are findings too
    expect(report.findings.find((f: { label: string }) => f.label === 'acknowledgement-late')?.count).toBe(days.length - within);
  });

  it('lists the recurring themes quarter by quarter', () => {
    const quarter = (date: string) => Math.floor(((Number(date.slice(0, 4)) - YEAR) * 12 + Number(date.slice(5, 7)) - 4) / 3);
    report.themes.forEach((q: { top: { label: string; count: number }[] }, i: number) => {
      const counts = count(
        accepted.filter((c) => quarter(c.receivedOn) === i),
        (c) => c.receive.category,
      );
      const expected = Object.entries(counts)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3);
      expect(q.top.map((t) => [t.label, t.count])).toEqual(expected);
    });
  });

  it('is for analysts and auditors; a case handler is refused', async () => {
    await api(app, KEYS.case_handler).get(`/v1/reports/annual?year=${YEAR}`).expect(403);
    await api(app, KEYS.auditor).get(`/v1/reports/annual?year=${YEAR}`).expect(200);
  });
});

const { browserPath: browser, describeInBrowser } = chromiumOrSkip('annual report');

describeInBrowser('the annual report page in headless Chromium', () => {
  it('renders every chart as a non-empty SVG with a text alternative, with no console errors and no external requests', async () => {
    const chrome = await chromium.launch({
      executablePath: browser,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await chrome.newPage();
      await page.setExtraHTTPHeaders({ 'x-api-key': KEYS.analyst });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (r) => requests.push(r.url()));
      const response = await page.goto(`${base}/v1/reports/annual.html?year=${YEAR}`);
      expect(response?.status()).toBe(200);
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => ({
          id: svg.id,
          marks: svg.querySelectorAll('rect').length,
          title: svg.querySelector('title')?.textContent ?? '',
          width: svg.getBoundingClientRect().width,
          height: svg.getBoundingClientRect().height,
        })),
      );
      expect(charts.length).toBeGreaterThanOrEqual(8);
      for (const chart of charts) {
        expect(chart.title).not.toBe('');
        expect(chart.width * chart.height).toBeGreaterThan(0);
      }
      expect(charts.find((c) => c.id === 'chart-months')!.marks).toBeGreaterThanOrEqual(24);
      expect(await page.title()).toMatch(/Annual complaints performance and service improvement report 2024\/25/);
      expect(problems).toEqual([]);
      expect(requests.every((url) => url.startsWith(base))).toBe(true);
    } finally {
      await chrome.close();
    }
  });
});
