import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, KEYS, startApp } from './support';

/**
 * The annual report as people read it, printed or in the console: London dates, words for the
 * ledger's slugs, no ids; and when section 9 counts a stage's responses differently from CH02, the
 * page says why with the figures. A stage 2 response that fell due in the year and was never sent
 * is the case: the Code's timescale (6.14) counts it, not met; CH02 counts responses sent.
 */
let app: NestFastifyApplication;
beforeAll(async () => {
  app = await startApp();
  const http = () => api(app);
  const id = (
    await http()
      .post('/v1/complaints')
      .send(complaintBody({ receivedAt: '2024-05-01T10:00:00+01:00' }))
      .expect(201)
  ).body.id as string;
  const on = (path: string, body: object) => http().post(`/v1/complaints/${id}/${path}`).send(body).expect(200);
  await on('acknowledgements', { stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'Leak' });
  await on('responses', {
    stage: 1,
    respondedAt: '2024-05-10T10:00:00+01:00',
    decision: 'partly_upheld',
    reasons: 'Late repair',
    outstandingActions: [],
    escalationRightsGiven: true,
    remedies: [{ type: 'financial', description: 'Compensation', amountPence: 10000, dueBy: '2024-06-03' }],
  });
  await on('escalations', { requestedAt: '2024-05-20T10:00:00+01:00' });
  await on('acknowledgements', { stage: 2, acknowledgedAt: '2024-05-22T10:00:00+01:00', complaintDefinition: 'Compensation' });
  // no stage 2 response, ever: due in June 2024
  await app.get<Ledger>(LEDGER).readSide.runner.catchUp();
});
afterAll(async () => app.close());

it('counts a stage 2 response that fell due unanswered in 6.14, not in CH02, and the page says so with the figures', async () => {
  const report = (await api(app, KEYS.analyst).get('/v1/reports/annual?year=2024').expect(200)).body;
  expect(report.tsm.ch02.stage2).toMatchObject({ responded: 0 });
  expect(report.selfAssessment.find((p: { provision: string }) => p.provision === '6.14')).toMatchObject({ met: 0, total: 1 });
  const page = (await api(app, KEYS.analyst).get('/v1/reports/annual.html?year=2024').expect(200)).text;
  expect(page).toContain(
    'CH02 in section 3 counts the responses sent in the year; the Code&#39;s timescales above count the responses that fell due in it, those still unanswered at its end included (as not met). So stage 2 has 0 responses sent and 1 due.',
  );
});

it('names times as London reads them and things in words: no UTC instant, id or slug on the page', async () => {
  const page = (await api(app, KEYS.analyst).get('/v1/reports/annual.html?year=2024').expect(200)).text;
  const text = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ');
  expect(text).toContain('reporting year 2024/25 (1 Apr 2024 to 31 Mar 2025) · figures as at 31 Mar 2025, 23:59 BST');
  expect(text).toMatch(/Received 1 May 2024\s+Financial, £100\.00\s+3 Jun 2024/); // the overdue remedy
  expect(text).toContain('Remedy overdue'); // the finding, not its rule's slug
  expect(text).toContain('Partly upheld');
  expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  expect(text).not.toMatch(/\b[a-z]+(_[a-z]+)+\b|\b[a-z]+-(late|overdue|unanswered|missing)\b/);
});
