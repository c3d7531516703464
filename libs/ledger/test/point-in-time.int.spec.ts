import {
  complaintEventOf,
  decide,
  EVENT_SCHEMA_VERSION,
  foldEvents,
  isDomainError,
  occurredAtOf,
  WorkingCalendar,
  type ComplaintCommand,
  type ComplaintEvent,
  type State,
} from '@complaint-ledger/domain';
import { complaintStream, SqliteEventStore } from '@complaint-ledger/event-store';
import { annualReport, listComplaints, ReadSide, tsmReport, type ComplaintFilter, type PointInTime } from '@complaint-ledger/projections';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointInTimeReadModel } from '../../projections/test/support/point-in-time-reference';
import { systemClock } from '../src';
import { ComplaintReads } from '../src/read/complaint-reads';
import { ReadModelQueries } from '../src/read/read-model-queries';

/**
 * Point-in-time answers from the read model's history (the complaints read model's spans by record
 * time, and each complaint's facts' business dates) equal the answers the ledger gave before it
 * kept a history: the complaints read model rebuilt from the whole log for the instant asked. The
 * log: complaints of every kind of life over three years, each fact recorded as it happens or
 * weeks late, deadline sweeps at intervals, corrections of acknowledgement dates and voided
 * responses recorded later. Asked at many instants, in business time, record time and both.
 */
jest.setTimeout(120_000);
const RULES = { calendar: new WorkingCalendar() };
const ALERTS = { warningWorkingDays: 2 };
const dir = mkdtempSync(join(tmpdir(), 'ledger-point-in-time-'));
const instant = (start: string, plusDays: number, hour = 10) =>
  new Date(Date.parse(`${start}T${String(hour).padStart(2, '0')}:00:00Z`) + plusDays * 86_400_000).toISOString();
const date = (start: string, plusDays: number) => instant(start, plusDays).slice(0, 10);

/** What is done to a complaint, and when the ledger hears of it. */
interface Action {
  readonly complaintId: string;
  readonly recordedAt: string;
  command(state: State): ComplaintCommand | null;
}

function lifeOf(n: number): Action[] {
  const id = randomUUID();
  const start = date('2022-04-04', (n * 3.7) | 0);
  const depth = n % 9;
  const late = n % 5 === 0 ? 20 : 0; // one in five recorded weeks late (a migration, a backlog)
  const actions: Action[] = [];
  const fact = (plus: number, command: ComplaintCommand) =>
    actions.push({ complaintId: id, recordedAt: instant(start, plus + late, 11), command: () => command });
  const at = (plus: number) => instant(start, plus);
  fact(0, {
    type: 'ReceiveComplaint',
    data: {
      complaintId: id,
      receivedAt: at(0),
      channel: 'email',
      tenure: n % 3 ? 'LCRA' : 'LCHO',
      category: n % 2 ? 'repairs' : 'noise',
      summary: 'Leak',
      resident: { reference: `R-${n}` },
    },
  });
  if (depth === 1)
    fact(2, { type: 'RecordNonAcceptance', data: { decidedAt: at(2), ground: 'other', explanation: 'x', ombudsmanRightExplained: true } });
  if (depth === 2) fact(9, { type: 'WithdrawComplaint', data: { withdrawnAt: at(9) } });
  if (depth >= 3)
    fact(n % 4 ? 3 : 9, {
      type: 'AcknowledgeComplaint',
      data: { stage: 1, acknowledgedAt: at(n % 4 ? 3 : 9), complaintDefinition: 'Leak' },
    });
  const respond = (stage: 1 | 2, plus: number) =>
    fact(plus, {
      type: 'RespondToComplaint',
      data: {
        stage,
        respondedAt: at(plus),
        decision: 'upheld',
        reasons: 'Late',
        outstandingActions: [],
        escalationRightsGiven: true,
        remedies: [],
      },
    });
  if (depth >= 5) respond(1, 20);
  if (depth >= 7) {
    fact(30, { type: 'EscalateComplaint', data: { requestedAt: at(30) } });
    if (depth === 7)
      fact(33, { type: 'RefuseEscalation', data: { decidedAt: at(33), ground: 'other', explanation: 'x', ombudsmanRightExplained: true } });
    else {
      fact(32, { type: 'AcknowledgeComplaint', data: { stage: 2, acknowledgedAt: at(32), complaintDefinition: 'Still leaking' } });
      respond(2, 60);
    }
  }
  // the ledger's sweeps, weeks apart
  for (const plus of [12, 45, 120])
    actions.push({
      complaintId: id,
      recordedAt: instant(start, plus + late, 23),
      command: () => ({ type: 'RecordDeadlineAlerts', data: { asOf: instant(start, plus + late, 23) } }),
    });
  // corrections, recorded later: an acknowledgement's date put right, a response voided
  if (depth >= 3 && n % 4 === 0)
    actions.push({
      complaintId: id,
      recordedAt: instant(start, 70, 9),
      command: (state) => {
        const ack = state?.facts.find((f) => f.event.type === 'Acknowledged');
        return ack
          ? {
              type: 'CorrectFact',
              data: {
                revision: ack.revision,
                reason: 'Keyed wrongly',
                replacement: { type: 'AcknowledgeComplaint', data: { stage: 1, acknowledgedAt: at(2), complaintDefinition: 'Leak' } },
              },
            }
          : null;
      },
    });
  if (depth >= 5 && n % 6 === 5)
    actions.push({
      complaintId: id,
      recordedAt: instant(start, 80, 9),
      command: (state) => {
        const response = state?.facts.find((f) => f.event.type === 'Responded');
        return response
          ? { type: 'CorrectFact', data: { revision: response.revision, reason: 'Sent to the wrong resident', void: true } }
          : null;
      },
    });
  return actions;
}

let recordedAt = '';
const store = new SqliteEventStore(join(dir, 'log.sqlite'), () => recordedAt);
const readSide = new ReadSide({ store, path: join(dir, 'rm.sqlite'), rules: RULES, alerts: ALERTS });
const readModels = { db: readSide.db, rules: RULES, position: () => readSide.runner.position };
const queries = new ReadModelQueries(readModels, new ComplaintReads(store, RULES, systemClock), { homes: {} }, () => NOW);
const NOW = '2025-12-01T12:00:00.000Z';

beforeAll(async () => {
  const actions = Array.from({ length: 240 }, (_, n) => lifeOf(n))
    .flat()
    .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
  for (const action of actions) {
    recordedAt = action.recordedAt;
    const stream = complaintStream(action.complaintId);
    const recorded = await store.readStream(stream);
    const state = foldEvents(recorded.map(complaintEventOf));
    const command = action.command(state);
    if (!command) continue;
    const decided = decide(command, state, { now: recordedAt, newId: randomUUID, compliance: { rules: RULES, alerts: ALERTS } });
    if (isDomainError(decided) || !decided.length) continue;
    await store.append(
      stream,
      decided.map((event: ComplaintEvent) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { occurredAt: occurredAtOf(event), actor: 'test', correlationId: randomUUID(), schemaVersion: EVENT_SCHEMA_VERSION },
      })),
      recorded.length ? recorded.at(-1)!.revision : 'no_stream',
    );
  }
  await readSide.runner.rebuild(); // large batches: the history must be the same as applied live (tested in the runner's tests)
});
afterAll(async () => {
  await readSide.stop();
  await store.close();
});

const POINTS: PointInTime[] = [
  { asOf: '2022-06-15T12:00:00.000Z' },
  { asOf: '2023-01-10T09:30:00.000Z' },
  { asOf: '2024-03-31T22:59:59.999Z' },
  { knownAt: '2022-07-01T00:00:00.000Z' },
  { knownAt: '2023-05-20T11:00:00.000Z' },
  { knownAt: '2024-09-01T10:00:00.000Z' },
  { asOf: '2022-09-01T12:00:00.000Z', knownAt: '2022-10-01T12:00:00.000Z' },
  { asOf: '2023-06-01T12:00:00.000Z', knownAt: '2023-12-01T12:00:00.000Z' },
];
const FILTERS: ComplaintFilter[] = [
  {},
  { status: 'open' },
  { status: 'responded' },
  { status: 'closed' },
  { status: 'escalation_refused' },
  { status: 'not_accepted' },
  { status: 'withdrawn' },
  { stage: 2 },
  { tenure: 'LCHO', stage: 1 },
  { breached: true },
  { breached: false, status: 'open' },
];

describe.each(POINTS)('at %j', (at) => {
  let reference: Awaited<ReturnType<typeof pointInTimeReadModel>>;
  beforeAll(async () => {
    reference = await pointInTimeReadModel(store, RULES, ALERTS, at);
  });
  afterAll(() => reference.close());

  it('lists the same complaints, in the same order, with the same status, stage and breaches, for every filter', async () => {
    const shown = (items: { id: string; status: string; stage: number; receivedAt: string; tenure: string; breaches: number }[]) =>
      items.map(({ id, status, stage, receivedAt, tenure, breaches }) => ({ id, status, stage, receivedAt, tenure, breaches }));
    let listed = 0;
    for (const filter of FILTERS) {
      const expected = shown(listComplaints(reference, filter, undefined, 500).items);
      const found = shown((await queries.list(filter, { limit: 500 }, at)).items);
      expect([filter, found]).toEqual([filter, expected]);
      listed += found.length;
    }
    expect(listed).toBeGreaterThan(0);
  });

  it('counts TSM the same for every reporting year', async () => {
    for (const year of [2022, 2023, 2024]) {
      const { asOfPosition: _position, asOf: _a, knownAt: _k, ...found } = await queries.tsm(year, at);
      expect([year, found]).toEqual([year, tsmReport(reference, year, {})]);
    }
  });

  it('gives the same annual report for every reporting year', async () => {
    const judgedAt = at.asOf ?? at.knownAt!;
    for (const year of [2022, 2023, 2024]) {
      const { asOfPosition: _position, asOf: _a, knownAt: _k, ...found } = await queries.annualReport(year, at);
      const expected = annualReport(reference, year, RULES, {}, judgedAt);
      expect([year, { ...found, asOf: expected.asOf }]).toEqual([year, expected]);
    }
  });
});
