import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { complaintIdOf, type Ledger } from '@complaint-ledger/ledger';
import { timelines } from '../../../../libs/domain/test/support/timelines';
import { commandRoutes } from '../../src/complaints/command-registry';
import { LEDGER } from '../../src/infrastructure/tokens';
import { api, KEYS, startApp } from '../support';
import { commandsOf } from './timeline-commands';

/**
 * Same answers as live entry: the worked timelines of the domain's tests (every one on the Code's
 * own timescales: 33 complaints under the 2020, 2022 and 2024 Codes) entered over HTTP, command by
 * command, into one ledger, and imported as one JSON Lines file into another. Every complaint's
 * deadlines and findings, the breaches, the TSM figures and the annual report of every year: identical.
 */
jest.setTimeout(180_000);

const HOMES = { LEDGER_HOMES: '2020:LCRA=900,2021:LCRA=1000,2022:LCRA=1000,2023:LCRA=1100,2024:LCRA=1200,2024:LCHO=300,2025:LCRA=1200' };
const YEARS = [2020, 2021, 2022, 2023, 2024, 2025];
const worked = Object.entries(timelines)
  .filter(([, timeline]) => !timeline.rules) // a landlord's own timescales are a setting of the ledger: one ledger, one setting
  .map(([name, timeline], index) => ({
    reference: `TL-${String(index + 1).padStart(2, '0')}`,
    name,
    commands: commandsOf(timeline.events),
  }));

let live: NestFastifyApplication;
let imported: NestFastifyApplication;
beforeAll(async () => {
  [live, imported] = [await startApp(HOMES), await startApp(HOMES)];
});
afterAll(async () => {
  await live?.close();
  await imported?.close();
});

/** Every command of every timeline over HTTP, in order; a remedy completed by the id the ledger gave it. */
async function enterLive(): Promise<void> {
  const routes = new Map(commandRoutes().map((route) => [route.command, route.path]));
  for (const { reference, commands } of worked) {
    const id = complaintIdOf(reference);
    const remedyIds = new Map<string, string>();
    for (const { kind, data, remedies } of commands) {
      const path = `/${routes.get(kind)!}`.replace(':id', id).replace(':remedyId', remedyIds.get(remedies[0]!) ?? '');
      await api(live)
        .post(path)
        .send(kind === 'ReceiveComplaint' ? { ...data, complaintId: id } : data)
        .expect(kind === 'ReceiveComplaint' ? 201 : 200);
      if (kind === 'OfferRemedy' || (kind === 'RespondToComplaint' && remedies.length)) {
        const { body } = await api(live).get(`/v1/complaints/${id}`).expect(200);
        const fresh = (body.remedies as { remedyId: string }[]).slice(-remedies.length);
        remedies.forEach((reference, index) => remedyIds.set(reference, fresh[index]!.remedyId));
      }
    }
  }
}

/** The same commands as one JSON Lines file, a row each, the remedies named by the landlord's references. */
async function importAll(): Promise<void> {
  const lines = worked.flatMap(({ reference, commands }) =>
    commands.map(({ kind, data, remedies }) => {
      const row: Record<string, unknown> = { complaint: reference, kind, ...data };
      if (kind === 'OfferRemedy' || kind === 'CompleteRemedy') row.remedyId = remedies[0];
      if (kind === 'RespondToComplaint' && remedies.length)
        row.remedies = (data.remedies as object[]).map((terms, index) => ({ ...terms, remedyId: remedies[index] }));
      return JSON.stringify(row);
    }),
  );
  const { body } = await api(imported, KEYS.admin)
    .post('/v1/imports')
    .set('content-type', 'application/x-ndjson')
    .send(lines.join('\n'))
    .expect(202);
  for (;;) {
    const { body: status } = await api(imported, KEYS.admin).get(`/v1/imports/${body.id}`).expect(200);
    if (status.status !== 'running') {
      expect(status).toMatchObject({ status: 'done', rows: { total: lines.length, accepted: lines.length } });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What differs by design: the ids the ledger gave remedies sent live (random) and imported (from the landlord's references), and places in the log. */
function comparable(value: unknown): unknown {
  const names = new Map<string, string>();
  const rename = (text: string) =>
    text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => names.get(id) ?? id);
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== 'object') return;
    const remedyId = (node as { remedyId?: unknown }).remedyId;
    if (typeof remedyId === 'string' && !names.has(remedyId)) names.set(remedyId, `remedy-${names.size + 1}`);
    Object.values(node).forEach(collect);
  };
  collect(value);
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node === 'string') return rename(node);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => !['asOfPosition', 'position', 'eventId'].includes(key))
        .map(([key, child]) => [key, strip(child)]),
    );
  };
  return strip(value);
}

async function caughtUp(app: NestFastifyApplication): Promise<void> {
  const ledger = app.get<Ledger>(LEDGER);
  await ledger.readSide.runner.catchUp();
  await ledger.sweep();
  await ledger.readSide.runner.catchUp();
}

async function answers(app: NestFastifyApplication) {
  const http = () => api(app);
  const complaints: Record<string, unknown> = {};
  for (const { reference } of worked)
    complaints[reference] = comparable(
      (
        await http()
          .get(`/v1/complaints/${complaintIdOf(reference)}`)
          .expect(200)
      ).body,
    );
  const breaches = [];
  for (let cursor: string | undefined; ;) {
    const { body } = await http()
      .get(`/v1/breaches?includeRetracted=true&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
      .expect(200);
    breaches.push(...(body.items as object[]));
    if (!(cursor = body.nextCursor)) break;
  }
  const byYear: Record<number, unknown> = {};
  for (const year of YEARS)
    byYear[year] = {
      tsm: comparable((await http().get(`/v1/statistics/tsm?year=${year}`).expect(200)).body),
      report: comparable((await http().get(`/v1/reports/annual?year=${year}`).expect(200)).body),
    };
  const sortedBreaches = (comparable(breaches) as { complaintId: string; deadlineKey: string }[]).sort((a, b) =>
    `${a.complaintId} ${a.deadlineKey}`.localeCompare(`${b.complaintId} ${b.deadlineKey}`),
  );
  return { complaints, breaches: sortedBreaches, byYear };
}

describe('the worked timelines, imported and entered over HTTP', () => {
  it('give identical deadlines, findings, breaches, TSM figures and annual reports', async () => {
    expect(worked.length).toBeGreaterThanOrEqual(30);
    await enterLive();
    await importAll();
    await caughtUp(live);
    await caughtUp(imported);

    const [fromHttp, fromImport] = [await answers(live), await answers(imported)];

    const versions = new Set(Object.values(fromHttp.complaints).map((view) => (view as { codeVersion: string }).codeVersion));
    expect([...versions].sort()).toEqual(['2020', '2022', '2024']);
    expect(fromHttp.breaches.length).toBeGreaterThan(10);
    for (const { reference, name } of worked)
      expect([name, fromImport.complaints[reference]]).toEqual([name, fromHttp.complaints[reference]]);
    expect(fromImport.breaches).toEqual(fromHttp.breaches);
    expect(fromImport.byYear).toEqual(fromHttp.byYear);
  });
});
