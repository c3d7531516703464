import { WorkingCalendar } from '@complaint-ledger/domain';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { ReadSide } from '@complaint-ledger/projections';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidCursor, QueryBusy, QueryTimedOut } from '../src';
import { ComplaintReads } from '../src/read/complaint-reads';
import { QueryThread } from '../src/read/query-thread';
import { ReadModelQueries } from '../src/read/read-model-queries';
import { many, record } from '../../projections/test/support/ledger';

/**
 * The read-model queries on a thread of their own answer exactly what they answer on the thread
 * that asks; a client's mistake stays the core's error across the threads; a query past its budget
 * is abandoned and said so, and queries beyond the queue's bound are refused at once.
 */
jest.setTimeout(60_000);
const RULES = { calendar: new WorkingCalendar() };
const NOW = '2025-06-01T12:00:00.000Z';
const dir = mkdtempSync(join(tmpdir(), 'ledger-query-thread-'));
const logPath = join(dir, 'log.sqlite');
const projectionsPath = join(dir, 'rm.sqlite');
const store = new SqliteEventStore(logPath, () => NOW);
const readSide = new ReadSide({ store, path: projectionsPath, rules: RULES, alerts: { warningWorkingDays: 2 } });
const position = () => readSide.runner.position;
const inProcess = new ReadModelQueries(
  { db: readSide.db, rules: RULES, position },
  new ComplaintReads(store, RULES, () => NOW),
  { homes: {} },
  () => NOW,
);
const thread = (options: { timeoutMs?: number; maxWaiting?: number } = {}) =>
  new QueryThread({
    logPath,
    projectionsPath,
    rules: RULES,
    homes: {},
    timeoutMs: options.timeoutMs ?? 30_000,
    maxWaiting: options.maxWaiting ?? 16,
    clock: () => NOW,
    position,
  });

beforeAll(async () => {
  await record(
    store,
    ...many(12, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00').responded(1, '2024-06-10T10:00')),
    ...many(8, (c) => c.received('2024-07-01T10:00', 'LCHO')),
  );
  await readSide.runner.catchUp();
});
afterAll(async () => {
  await readSide.stop();
  await store.close();
});

it('answers every query as the asking thread would', async () => {
  const queries = thread();
  try {
    const points = [{}, { asOf: '2024-06-05T00:00:00.000Z' }, { knownAt: NOW }];
    for (const at of points) {
      expect(await queries.list({ status: 'open' }, { limit: 50 }, at)).toEqual(
        await inProcess.list({ status: 'open' }, { limit: 50 }, at),
      );
      expect(await queries.tsm(2024, at)).toEqual(await inProcess.tsm(2024, at));
      expect(await queries.annualReport(2024, at)).toEqual(await inProcess.annualReport(2024, at));
      expect(await queries.breaches({}, { limit: 50 }, at)).toEqual(await inProcess.breaches({}, { limit: 50 }, at));
    }
    expect(await queries.reportingYears()).toEqual(await inProcess.reportingYears());
    await expect(queries.list({}, { cursor: 'not-a-cursor', limit: 5 }, {})).rejects.toBeInstanceOf(InvalidCursor);
  } finally {
    await queries.close();
  }
});

it('abandons a query past its budget, saying so, and answers the next on a new thread', async () => {
  const queries = thread({ timeoutMs: 0 }); // no query can be answered in no time: the budget always runs out first
  try {
    await expect(queries.tsm(2024, {})).rejects.toBeInstanceOf(QueryTimedOut);
  } finally {
    await queries.close();
  }
  const next = thread();
  try {
    expect(await next.tsm(2024, {})).toEqual(await inProcess.tsm(2024, {}));
  } finally {
    await next.close();
  }
});

it('refuses a query beyond the queue bound at once, rather than queueing it without end', async () => {
  const queries = thread({ maxWaiting: 1 });
  try {
    const first = queries.annualReport(2024, {});
    await expect(queries.tsm(2024, {})).rejects.toBeInstanceOf(QueryBusy);
    await expect(first).resolves.toMatchObject({ year: 2024 });
  } finally {
    await queries.close();
  }
});

/** Each thread of this process by its `nice` value (Linux: field 19 of /proc/self/task/<id>/stat). */
function nicenessOfThreads(): Map<number, number> {
  const fields = (id: string) =>
    readFileSync(`/proc/self/task/${id}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
  return new Map(readdirSync('/proc/self/task').map((id) => [Number(id), Number(fields(id)[16])]));
}

(process.platform === 'linux' ? it : it.skip)(
  'runs at a lower priority than the thread that takes commands (nice 10 on Linux), which keeps its own',
  async () => {
    const before = nicenessOfThreads();
    const queries = thread();
    await queries.list({}, { limit: 1 }, {});

    const after = nicenessOfThreads();
    const started = [...after].filter(([id]) => !before.has(id));
    expect(started.map(([, nice]) => nice)).toContain(10);
    expect(after.get(process.pid)).toBe(before.get(process.pid));
    await queries.close();
  },
);
