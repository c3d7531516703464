import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ReadSide } from '@complaint-ledger/projections';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { complaintBody, NOW, startApp, tempSqlitePath, api } from './support';

let app: NestFastifyApplication;
let readSide: ReadSide;
let ledger: Ledger;
const sqlitePath = tempSqlitePath();
const http = () => api(app);
beforeAll(async () => {
  app = await startApp({ LEDGER_SQLITE_PATH: sqlitePath, LEDGER_HOMES: '2024:LCRA=1000,2024:LCHO=500' });
  ledger = app.get(LEDGER);
  readSide = ledger.readSide;
});
afterAll(async () => app.close());

const receive = async (extra: object = {}) =>
  (await http().post('/v1/complaints').send(complaintBody(extra)).expect(201)).body.id as string;
const acknowledge = (id: string, at = '2024-05-02T10:00:00+01:00') =>
  http().post(`/v1/complaints/${id}/acknowledgements`).send({ stage: 1, acknowledgedAt: at, complaintDefinition: 'Leak' }).expect(200);
const expectProblem = (response: request.Response, status: number, field?: string) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (field) expect(JSON.stringify(response.body.errors)).toContain(`"field":"${field}"`);
};

// One log for the whole file; each test filters by what it wrote.
const ids: Record<string, string> = {};
beforeAll(async () => {
  ids.lcra1 = await receive({ receivedAt: '2024-06-03T10:00:00+01:00' });
  ids.lcra2 = await receive({ receivedAt: '2024-06-04T10:00:00+01:00' });
  ids.lcho = await receive({ receivedAt: '2024-06-05T10:00:00+01:00', tenure: 'LCHO' });
  await acknowledge(ids.lcra2, '2024-06-04T15:00:00+01:00');
  await acknowledge(ids.lcho, '2024-06-05T15:00:00+01:00');
  await readSide.runner.catchUp();
});

describe('reading your own write (a command answers its log position; queries take it as minPosition)', () => {
  it("lists what a command just recorded, with no wait of the caller's own", async () => {
    for (let n = 0; n < 5; n++) {
      const created = (
        await http()
          .post('/v1/complaints')
          .send(complaintBody({ receivedAt: '2023-02-01T10:00:00Z' }))
          .expect(201)
      ).body;
      expect(created.position).toBeGreaterThan(0);
      const listed = (
        await http()
          .get(`/v1/complaints?minPosition=${created.position}&receivedFrom=2023-02-01&receivedTo=2023-02-01&limit=500`)
          .expect(200)
      ).body;
      expect(listed.asOfPosition).toBeGreaterThanOrEqual(created.position);
      expect(listed.items.map((c: { id: string }) => c.id)).toContain(created.id);
      const tsm = (await http().get(`/v1/statistics/tsm?year=2022&minPosition=${created.position}`).expect(200)).body;
      expect(tsm.asOfPosition).toBeGreaterThanOrEqual(created.position);
    }
  });

  it('says so when the read models have not reached it, rather than answering without it', async () => {
    await expect(ledger.queries.caughtUpTo(readSide.runner.position + 1_000_000, 50)).rejects.toThrow('not yet');
    expectProblem(await http().get('/v1/complaints?minPosition=banana'), 400, 'minPosition');
  });
});

describe('GET /v1/complaints (the complaints read model)', () => {
  it('lists newest first, filters, and pages by cursor', async () => {
    const all = (await http().get('/v1/complaints?receivedFrom=2024-06-01&receivedTo=2024-06-30').expect(200)).body;
    expect(all.items.map((c: { id: string }) => c.id)).toEqual([ids.lcho, ids.lcra2, ids.lcra1]);
    expect(all.items[0]).toMatchObject({ status: 'open', stage: 1, tenure: 'LCHO', revision: 1, breaches: 0 });
    expect(all.asOfPosition).toBeGreaterThan(0);
    const first = (await http().get('/v1/complaints?tenure=LCRA&receivedFrom=2024-06-01&limit=1').expect(200)).body;
    expect(first.items.map((c: { id: string }) => c.id)).toEqual([ids.lcra2]);
    const second = (await http().get(`/v1/complaints?tenure=LCRA&receivedFrom=2024-06-01&limit=1&cursor=${first.nextCursor}`)).body;
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([ids.lcra1]);
  });

  it('refuses bad filters with problem+json naming the field', async () => {
    expectProblem(await http().get('/v1/complaints?status=lost'), 400, 'status');
    expectProblem(await http().get('/v1/complaints?stage=3'), 400, 'stage');
    expectProblem(await http().get('/v1/complaints?receivedFrom=June'), 400, 'receivedFrom');
    expectProblem(await http().get('/v1/complaints?limit=0'), 400, 'limit');
    expectProblem(await http().get('/v1/complaints?cursor=garbage'), 400, 'cursor');
    expectProblem(await http().get('/v1/complaints?colour=red'), 400, 'colour');
  });
});

describe('breach detection and GET /v1/breaches', () => {
  it('records DeadlineBreached in the complaint history once, and lists it', async () => {
    // NOW is 2026: lcra1 was never acknowledged (due 10 June 2024) nor answered; the others never answered.
    const sweep = await ledger.sweep();
    expect(sweep).toMatchObject({ at: NOW });
    expect(await ledger.sweep()).toMatchObject({ breaches: 0 });
    await readSide.runner.catchUp();
    const history = (await http().get(`/v1/complaints/${ids.lcra1}/history`)).body.events;
    const breached = history.filter((e: { type: string }) => e.type === 'DeadlineBreached');
    expect(breached.map((e: { data: { kind: string } }) => e.data.kind)).toEqual(['acknowledgement', 'stage1Response']); // one per deadline
    expect(breached[0]).toMatchObject({
      actor: 'ledger:breach-detector',
      data: { kind: 'acknowledgement', dueAt: '2024-06-10T22:59:59.999Z', detectedAt: NOW },
    });
    const listed = (await http().get('/v1/breaches?kind=acknowledgement&from=2026-11-01T00:00:00Z').expect(200)).body.items;
    expect(listed.map((b: { complaintId: string }) => b.complaintId)).toContain(ids.lcra1);
    const responses = (await http().get('/v1/breaches?kind=stage1Response').expect(200)).body.items;
    expect(responses.map((b: { complaintId: string }) => b.complaintId)).toEqual(expect.arrayContaining([ids.lcra2, ids.lcho]));
    const flagged = (await http().get('/v1/complaints?breached=true&receivedFrom=2024-06-01').expect(200)).body.items;
    expect(flagged.map((c: { id: string }) => c.id).sort()).toEqual([ids.lcra1, ids.lcra2, ids.lcho].sort());
    expectProblem(await http().get('/v1/breaches?from=yesterday'), 400, 'from');
    expectProblem(await http().get('/v1/breaches?kind=lunch'), 400, 'kind');
  });
});

describe('GET /v1/statistics/tsm', () => {
  it('reports CH01 per 1,000 homes and CH02 for the reporting year', async () => {
    const body = (await http().get('/v1/statistics/tsm?year=2024').expect(200)).body;
    expect(body).toMatchObject({ reportingYear: '2024/25', from: '2024-04-01', to: '2025-03-31' });
    // this file's three complaints plus none answered: LCRA 2 of 1,000 homes → 2.0; LCHO 1 of 500 → 2.0
    expect(body.byTenure.LCRA.ch01).toMatchObject({ stage1Complaints: 2, homes: 1000, stage1PerThousandHomes: 2 });
    expect(body.byTenure.LCHO.ch01).toMatchObject({ stage1Complaints: 1, homes: 500, stage1PerThousandHomes: 2 });
    expect(body.ch02.stage1).toEqual({ responded: 0, withinTimescale: 0, percent: null });
    expectProblem(await http().get('/v1/statistics/tsm'), 400, 'year');
    expectProblem(await http().get('/v1/statistics/tsm?year=twenty'), 400, 'year');
  });
});

describe("GET /v1/complaints/{id}/export (an auditor's export) and integrity", () => {
  it('exports events, state, deadlines, findings and the integrity result in one document', async () => {
    const response = await http().get(`/v1/complaints/${ids.lcra2}/export`).expect(200);
    expect(response.headers['content-disposition']).toContain(`complaint-${ids.lcra2}.json`);
    expect(response.body).toMatchObject({
      exportedAt: NOW,
      complaint: { id: ids.lcra2, status: 'open', deadlines: expect.any(Array), findings: expect.any(Array) },
      integrity: { valid: true, firstInvalidRevision: null },
    });
    expect(response.body.events.map((e: { type: string }) => e.type).slice(0, 2)).toEqual(['ComplaintReceived', 'Acknowledged']);
    expectProblem(await http().get('/v1/complaints/7d0c5b0e-3c57-4a43-9a55-1f8a8b0f0000/export'), 404);
  });

  it('names the first broken revision when an event in the SQLite file is tampered with', async () => {
    const raw = new Database(sqlitePath);
    raw
      .prepare("UPDATE events SET data = json_set(data, '$.complaintDefinition', 'Nothing wrong') WHERE stream_id = ? AND revision = 1")
      .run(`complaint-${ids.lcho}`);
    raw.close();
    expect((await http().get(`/v1/complaints/${ids.lcho}/integrity`).expect(200)).body).toMatchObject({
      valid: false,
      firstInvalidRevision: 1,
    });
    expect((await http().get(`/v1/complaints/${ids.lcho}/export`).expect(200)).body.integrity.valid).toBe(false);
  });
});
