import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type request from 'supertest';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, startApp } from './support';

/**
 * Decisions 0016–0018 over real HTTP: a migration loading 2024 facts in 2026, viewed in business
 * time (asOf) and record time (knownAt); corrections; breaches that follow the facts.
 */
let app: NestFastifyApplication;
let ledger: Ledger;
let now = '2026-11-20T10:00:00.000Z';
const http = () => api(app);
beforeAll(async () => {
  app = await startApp({ LEDGER_HOMES: '2024:LCRA=1000,2024:LCHO=500' }, () => now);
  ledger = app.get(LEDGER);
});
afterAll(async () => app.close());

const expectProblem = (response: request.Response, status: number, field?: string, rule?: string) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (field) expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(rule ? { rule } : {}) })]));
  return response.body;
};
const receive = async (extra: object = {}) =>
  (await http().post('/v1/complaints').send(complaintBody(extra)).expect(201)).body.id as string;
const acknowledge = (id: string, acknowledgedAt: string) =>
  http().post(`/v1/complaints/${id}/acknowledgements`).send({ stage: 1, acknowledgedAt, complaintDefinition: 'The leak' }).expect(200);
const respond = (id: string, respondedAt: string, extra: object = {}) =>
  http()
    .post(`/v1/complaints/${id}/responses`)
    .send({
      stage: 1,
      respondedAt,
      decision: 'not_upheld',
      reasons: 'Repaired in time',
      outstandingActions: [],
      escalationRightsGiven: true,
      ...extra,
    })
    .expect(200);
const deadline = (view: { deadlines: { kind: string; status: string }[] }, kind: string) =>
  view.deadlines.find((d) => d.kind === kind)?.status;
const sweep = async () => {
  await ledger.readSide.runner.catchUp(); // the sweep finds what is due from the read model's index
  const result = await ledger.sweep();
  await ledger.readSide.runner.catchUp();
  return result;
};

describe('two times: asOf (business) and knownAt (record)', () => {
  // received Wed 1 May 2024; acknowledgement due Thu 9 May; acknowledged Fri 3 May, so the response is due Mon 20 May
  let id: string;
  beforeAll(async () => {
    now = '2026-11-20T10:00:00.000Z';
    id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' });
    now = '2026-11-21T10:00:00.000Z';
    await acknowledge(id, '2024-05-03T10:00:00+01:00');
    await respond(id, '2024-05-20T10:00:00+01:00');
    now = '2026-11-23T12:00:00.000Z';
  });

  it('given a complaint loaded in 2026 with facts dated 2024, asOf 2024 dates shows it pending, then met', async () => {
    const early = (await http().get(`/v1/complaints/${id}?asOf=2024-05-02T12:00:00Z`).expect(200)).body;
    expect(early).toMatchObject({ asOf: '2024-05-02T12:00:00.000Z', status: 'open' });
    expect([deadline(early, 'acknowledgement'), deadline(early, 'stage1Response')]).toEqual(['pending', 'pending']);
    const later = (await http().get(`/v1/complaints/${id}?asOf=2024-06-01`).expect(200)).body;
    expect(later.status).toBe('responded');
    expect([deadline(later, 'acknowledgement'), deadline(later, 'stage1Response')]).toEqual(['met', 'met']);
    const before = expectProblem(await http().get(`/v1/complaints/${id}?asOf=2024-04-30T12:00:00Z`), 404);
    expect(before.code).toBe('COMPLAINT.NOT_YET_RECEIVED');
  });

  it('knownAt is record time: 404 before it was recorded, then only what had been recorded', async () => {
    expect(expectProblem(await http().get(`/v1/complaints/${id}?knownAt=2026-11-19T12:00:00Z`), 404).code).toBe(
      'COMPLAINT.NOT_YET_RECORDED',
    );
    const known = (await http().get(`/v1/complaints/${id}?knownAt=2026-11-20T12:00:00Z`).expect(200)).body;
    expect(known).toMatchObject({ revision: 0, knownAt: '2026-11-20T12:00:00.000Z', status: 'open' });
    expect(deadline(known, 'acknowledgement')).toBe('breached'); // as the ledger then knew it: never acknowledged
    const both = (await http().get(`/v1/complaints/${id}?knownAt=2026-11-20T12:00:00Z&asOf=2024-05-08T12:00:00Z`).expect(200)).body;
    expect(deadline(both, 'acknowledgement')).toBe('pending');
  });

  it('history, export and integrity honour knownAt and refuse asOf; no view takes a future instant', async () => {
    const history = (await http().get(`/v1/complaints/${id}/history?knownAt=2026-11-20T12:00:00Z`).expect(200)).body;
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(['ComplaintReceived']);
    const exported = (await http().get(`/v1/complaints/${id}/export?knownAt=2026-11-20T12:00:00Z`).expect(200)).body;
    expect(exported).toMatchObject({ knownAt: '2026-11-20T12:00:00.000Z', integrity: { valid: true, events: 1 } });
    expect((await http().get(`/v1/complaints/${id}/integrity?knownAt=2026-11-20T12:00:00Z`).expect(200)).body).toMatchObject({ events: 1 });
    for (const path of ['history', 'export', 'integrity'])
      expectProblem(await http().get(`/v1/complaints/${id}/${path}?asOf=2024-05-02`), 400, 'asOf');
    for (const query of ['asOf=2030-01-01', 'knownAt=2026-11-24T00:00:00Z']) {
      const field = query.split('=')[0]!;
      expectProblem(await http().get(`/v1/complaints/${id}?${query}`), 400, field, 'notInFuture');
      expectProblem(await http().get(`/v1/complaints?${query}`), 400, field, 'notInFuture');
      expectProblem(await http().get(`/v1/breaches?${query}`), 400, field, 'notInFuture');
      expectProblem(await http().get(`/v1/statistics/tsm?year=2024&${query}`), 400, field, 'notInFuture');
    }
    expectProblem(await http().get(`/v1/complaints/${id}?asOf=9999-01-01`), 400, 'asOf', 'withinCalendar');
  });

  it('the list, TSM and the annual report answer as known at knownAt and as things stood at asOf', async () => {
    const listed = async (query: string) =>
      (await http().get(`/v1/complaints?receivedFrom=2024-05-01&receivedTo=2024-05-01&${query}`).expect(200)).body.items.find(
        (c: { id: string }) => c.id === id,
      );
    expect(await listed('knownAt=2026-11-19T12:00:00Z')).toBeUndefined();
    expect(await listed('knownAt=2026-11-20T12:00:00Z')).toMatchObject({ status: 'open', revision: 0 });
    expect(await listed('asOf=2024-05-10T12:00:00Z')).toMatchObject({ status: 'open' });
    expect(await listed('')).toMatchObject({ status: 'responded' });
    const tsm = async (query: string) => (await http().get(`/v1/statistics/tsm?year=2024&${query}`).expect(200)).body.ch02.stage1.responded;
    expect(await tsm('')).toBeGreaterThanOrEqual(1);
    expect(await tsm('knownAt=2026-11-20T12:00:00Z')).toBe((await tsm('')) - 1);
    const report = (await http().get(`/v1/reports/annual?year=2024&knownAt=2026-11-20T12:00:00Z`).expect(200)).body;
    expect(report).toMatchObject({ knownAt: '2026-11-20T12:00:00.000Z', asOf: '2025-03-31T22:59:59.999Z' });
  });
});

describe('corrections as facts (POST /v1/complaints/:id/corrections)', () => {
  let id: string;
  beforeAll(async () => {
    now = '2026-11-23T12:00:00.000Z';
    id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' });
    await acknowledge(id, '2024-05-03T10:00:00+01:00');
  });
  const correct = (body: object) => http().post(`/v1/complaints/${id}/corrections`).send(body);
  const ackStatus = async () => deadline((await http().get(`/v1/complaints/${id}`).expect(200)).body, 'acknowledgement');

  it('changes a met deadline to late and back; the history shows both corrections, who made them, when and why', async () => {
    expect(await ackStatus()).toBe('met');
    const replacement = (acknowledgedAt: string) => ({ stage: 1, acknowledgedAt, complaintDefinition: 'The leak' });
    expect(
      (
        await correct({ revision: 1, reason: 'Keyed from the wrong letter', replacement: replacement('2024-05-13T10:00:00+01:00') }).expect(
          200,
        )
      ).body,
    ).toEqual({
      id,
      revision: 2,
      position: expect.any(Number),
    });
    expect(await ackStatus()).toBe('met_late');
    await correct({
      revision: 1,
      reason: 'The letter was sent on the 3rd after all',
      replacement: replacement('2024-05-03T10:00:00+01:00'),
    }).expect(200);
    expect(await ackStatus()).toBe('met');
    const events = (await http().get(`/v1/complaints/${id}/history`).expect(200)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['ComplaintReceived', 'Acknowledged', 'FactCorrected', 'FactCorrected']);
    expect(events[1]).toMatchObject({ correctedBy: [2, 3], data: { acknowledgedAt: '2024-05-03T09:00:00.000Z' } });
    expect(events[2]).toMatchObject({
      actor: 'api-key:test-suite',
      recordedAt: now,
      data: {
        correctedRevision: 1,
        correctedType: 'Acknowledged',
        reason: 'Keyed from the wrong letter',
        replacement: { acknowledgedAt: '2024-05-13T09:00:00.000Z' },
      },
    });
    const view = (await http().get(`/v1/complaints/${id}`).expect(200)).body;
    expect(view.findings.filter((f: { rule: string }) => f.rule === 'fact-corrected')).toHaveLength(2);
  });

  it('refuses what cannot be a correction, naming the field and rule, and writes nothing', async () => {
    expectProblem(await correct({ revision: 1, replacement: { stage: 1 } }), 400, 'reason');
    expectProblem(
      await correct({ revision: 1, reason: 'x', replacement: { stage: 1, acknowledgedAt: 'yesterday', complaintDefinition: 'x' } }),
      400,
      'replacement.acknowledgedAt',
    );
    expectProblem(
      await correct({
        revision: 1,
        reason: 'x',
        replacement: { stage: 1, acknowledgedAt: '2024-05-03T10:00:00Z', complaintDefinition: 'x', colour: 'red' },
      }),
      400,
      'replacement.colour',
    );
    expect(expectProblem(await correct({ revision: 0, reason: 'x', void: true }), 409).code).toBe('CORRECTION.CANNOT_VOID_RECEIPT');
    expect(expectProblem(await correct({ revision: 99, reason: 'x', void: true }), 404).code).toBe('CORRECTION.NO_SUCH_FACT');
    expect(expectProblem(await correct({ revision: 2, reason: 'x', void: true }), 409).code).toBe('CORRECTION.NOT_CORRECTABLE');
    expect(expectProblem(await correct({ revision: 1, reason: 'x' }), 422).code).toBe('CORRECTION.REPLACEMENT_OR_VOID');
    expect((await http().get(`/v1/complaints/${id}/history`).expect(200)).body.events).toHaveLength(4);
  });
});

describe('breaches that follow the facts', () => {
  it('a breach the sweep recorded is retracted once an on-time acknowledgement is recorded; auditors can still see it', async () => {
    now = '2026-11-23T12:00:00.000Z';
    const id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' });
    await sweep();
    const breachesOf = async (query = '') =>
      (await http().get(`/v1/breaches?kind=acknowledgement&${query}`).expect(200)).body.items.filter(
        (b: { complaintId: string }) => b.complaintId === id,
      );
    expect(await breachesOf()).toHaveLength(1);
    const breachedList = async () =>
      (await http().get('/v1/complaints?breached=true&receivedFrom=2024-05-01&receivedTo=2024-05-01').expect(200)).body.items;
    const breachesHeld = async () => (await breachedList()).find((c: { id: string }) => c.id === id)?.breaches;
    expect(await breachesHeld()).toBe(2); // the acknowledgement and the response

    now = '2026-11-24T12:00:00.000Z';
    await acknowledge(id, '2024-05-03T10:00:00+01:00'); // the nightly sync brings the on-time acknowledgement
    const swept = await sweep();
    // the acknowledgement's breach is disproved; the response's moves (its clock now runs from 3 May): retracted and recorded anew
    expect(swept).toMatchObject({ retractions: 2, breaches: 1 });
    expect(await breachesOf()).toEqual([]);
    expect(await breachesHeld()).toBe(1); // the response, still unanswered
    const withRetracted = await breachesOf('includeRetracted=true');
    expect(withRetracted).toEqual([
      expect.objectContaining({ retracted: expect.objectContaining({ reason: 'met_on_time', recordedAt: now }) }),
    ]);
    const asThen = await breachesOf('knownAt=2026-11-23T18:00:00Z');
    expect(asThen).toHaveLength(1);
    expect(asThen[0].retracted).toBeUndefined();
    const history = (await http().get(`/v1/complaints/${id}/history`).expect(200)).body.events.map((e: { type: string }) => e.type);
    expect(history).toEqual(expect.arrayContaining(['DeadlineBreached', 'BreachRetracted']));
  });

  it('a deadline met late before any sweep is listed as a breach, with when it was met', async () => {
    now = '2026-11-25T12:00:00.000Z';
    const id = await receive({ receivedAt: '2024-07-01T10:00:00+01:00' });
    await acknowledge(id, '2024-07-12T10:00:00+01:00'); // due Mon 8 July
    await sweep();
    const listed = (await http().get('/v1/breaches?kind=acknowledgement').expect(200)).body.items.filter(
      (b: { complaintId: string }) => b.complaintId === id,
    );
    expect(listed).toEqual([
      // four working days late: Tuesday to Friday
      expect.objectContaining({
        metAt: '2024-07-12T09:00:00.000Z',
        dueAt: '2024-07-08T22:59:59.999Z',
        provision: '6.2',
        workingDaysLate: 4,
      }),
    ]);
    const byDue = (await http().get('/v1/breaches?kind=acknowledgement&asOf=2024-07-08T12:00:00Z').expect(200)).body.items;
    expect(byDue.map((b: { complaintId: string }) => b.complaintId)).not.toContain(id); // not yet due then
  });
});

describe("the ledger's own facts and a housing system's concurrency token", () => {
  it('a breach the sweep records between two commands does not move the ETag that If-Match takes (the README walk-through, typed slowly)', async () => {
    now = '2026-11-26T12:00:00.000Z';
    const id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' });
    const ack = await acknowledge(id, '2024-05-13T10:00:00+01:00'); // due Wed 8 May: met late
    expect(ack.headers.etag).toBe('"1"');
    await sweep(); // records DeadlineBreached at revision 2, while the case handler looks at the screen
    expect((await http().get(`/v1/complaints/${id}/history`).expect(200)).body.events.at(-1).type).toBe('DeadlineBreached');
    const seen = await http().get(`/v1/complaints/${id}`).expect(200);
    expect(seen.headers.etag).toBe('"1"'); // what people recorded is unchanged
    const responded = await http()
      .post(`/v1/complaints/${id}/responses`)
      .set('If-Match', seen.headers.etag!)
      .send({
        stage: 1,
        respondedAt: '2024-05-24T15:00:00+01:00',
        decision: 'upheld',
        reasons: 'Late',
        outstandingActions: [],
        escalationRightsGiven: true,
      })
      .expect(200);
    expect(responded.headers.etag).toBe(`"${responded.body.revision}"`); // after the sweep's events
    // a stale token is still refused: the response moved it
    const stale = await http()
      .post(`/v1/complaints/${id}/escalations`)
      .set('If-Match', '"1"')
      .send({ requestedAt: '2024-05-28T09:00:00+01:00' });
    expectProblem(stale, 412);
  });

  it("a breach recorded before the late fact arrived shows when the deadline was met, as the complaint's own view does", async () => {
    now = '2026-11-26T13:00:00.000Z';
    const id = await receive({ receivedAt: '2024-09-02T10:00:00+01:00' });
    await sweep(); // the acknowledgement, due Mon 9 September, is breached and not met
    const listed = async () =>
      (await http().get('/v1/breaches?kind=acknowledgement').expect(200)).body.items.find(
        (b: { complaintId: string }) => b.complaintId === id,
      );
    expect((await listed()).metAt).toBeUndefined();
    await acknowledge(id, '2024-09-12T10:00:00+01:00'); // the nightly sync brings the late acknowledgement
    await ledger.readSide.runner.catchUp();
    expect(await listed()).toMatchObject({ metAt: '2024-09-12T09:00:00.000Z', dueAt: '2024-09-09T22:59:59.999Z' });
    const view = (await http().get(`/v1/complaints/${id}`).expect(200)).body;
    expect(view.deadlines.find((d: { kind: string }) => d.kind === 'acknowledgement')).toMatchObject({ status: 'met_late' });
  });
});

describe('how late each listed breach is (decisions 0001, 0002)', () => {
  it('counts working days to when the deadline was met, even after the sweep found it unmet; unmet, to the instant asked about', async () => {
    now = '2026-11-26T12:00:00.000Z';
    const id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' }); // acknowledgement due Thu 9 May 2024
    await sweep(); // found unmet
    const detected = now;
    const listed = async (query = '') =>
      (await http().get(`/v1/breaches?kind=acknowledgement&${query}`).expect(200)).body.items.find(
        (b: { complaintId: string }) => b.complaintId === id,
      );
    const unmet = await listed();
    expect(unmet).toMatchObject({ workingDaysLate: 647 }); // Fri 10 May 2024 to Thu 26 Nov 2026
    expect(unmet.metAt).toBeUndefined();

    now = '2026-11-27T12:00:00.000Z';
    await acknowledge(id, '2024-05-13T10:00:00+01:00'); // the sync brings a late acknowledgement: Fri 10 and Mon 13 May
    await sweep(); // met late: the breach holds
    expect(await listed()).toMatchObject({ metAt: '2024-05-13T09:00:00.000Z', workingDaysLate: 2 });
    // business time: on Saturday 11 May 2024 it was unmet, one working day late
    const thatSaturday = await listed('asOf=2024-05-11T12:00:00Z');
    expect(thatSaturday).toMatchObject({ workingDaysLate: 1 });
    expect(thatSaturday.metAt).toBeUndefined();
    // record time: as the ledger knew it when the sweep found it, unmet
    const asKnown = await listed(`knownAt=${detected}`);
    expect(asKnown).toMatchObject({ workingDaysLate: 647 });
    expect(asKnown.metAt).toBeUndefined();
  });
});

describe('a response without reasons (Code 6.9(d))', () => {
  it('is recorded, and raises a finding citing the provision', async () => {
    now = '2026-11-25T12:00:00.000Z';
    const id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00' });
    await acknowledge(id, '2024-05-03T10:00:00+01:00');
    await respond(id, '2024-05-10T10:00:00+01:00', { reasons: '   ' });
    const view = (await http().get(`/v1/complaints/${id}`).expect(200)).body;
    expect(view.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'response-without-reasons', provision: '6.9(d)' })]),
    );
  });
});
