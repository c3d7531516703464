import { MemoryEventStore } from '@complaint-ledger/event-store';
import {
  alertProjection,
  complaintProjection,
  FEW,
  listComplaints,
  openReadModelDatabase,
  ProjectionRunner,
  type ComplaintFilter,
} from '../src';
import { ALERTS, many, record, RULES } from './support/ledger';

/**
 * The complaints list finds a filter's matches by one of two paths — along its own order when they
 * are many, by the filters' index when they are few — and either way gives the same pages as a
 * filter applied to every complaint in order, page after page to the end.
 */
jest.setTimeout(60_000);
const store = new MemoryEventStore();
const db = openReadModelDatabase(':memory:');
const runner = new ProjectionRunner(store, db, [complaintProjection(RULES, ALERTS), alertProjection()]);

beforeAll(async () => {
  await record(
    store,
    ...many(FEW + 150, (c) => c.received('2024-06-03T10:00')), // open: more than FEW
    ...many(11, (c) => c.received('2024-06-04T10:00', 'LCHO').withdrawn('2024-06-05T10:00')), // withdrawn: few
    ...many(40, (c) => c.received('2024-07-01T10:00').acknowledged(1, '2024-07-02T10:00').responded(1, '2024-07-09T10:00')),
  );
  await runner.catchUp();
});

/** Every page of the list, followed by its cursor to the end. */
function everyPage(filter: ComplaintFilter, limit: number): string[] {
  const ids: string[] = [];
  for (let cursor: string | undefined, pages = 0; ; pages++) {
    const page = listComplaints(db, filter, cursor, limit);
    ids.push(...page.items.map((item) => item.id));
    if (!page.nextCursor || pages > 1000) return ids;
    cursor = page.nextCursor;
  }
}

/** The filter applied to every complaint, in the list's order. */
function everyMatch(filter: ComplaintFilter): string[] {
  const rows = db.prepare('SELECT key, status, stage, tenure, breaches FROM rm_complaints ORDER BY received_at DESC, key DESC').all() as {
    key: string;
    status: string;
    stage: number;
    tenure: string;
    breaches: number;
  }[];
  return rows
    .filter(
      (row) =>
        (filter.status === undefined || row.status === filter.status) &&
        (filter.stage === undefined || row.stage === filter.stage) &&
        (filter.tenure === undefined || row.tenure === filter.tenure) &&
        (filter.breached === undefined || row.breaches > 0 === filter.breached),
    )
    .map((row) => row.key);
}

it.each<[ComplaintFilter, number]>([
  [{ status: 'open' }, 500], // many: along the order
  [{ status: 'withdrawn' }, 4], // few: by the filters' index
  [{ status: 'responded', stage: 1 }, 7],
  [{ tenure: 'LCHO' }, 3],
  [{ status: 'closed' }, 10], // none
])('%j, %i a page, gives the pages a filter of every complaint gives', (filter, limit) => {
  const expected = everyMatch(filter);
  expect(everyPage(filter, limit)).toEqual(expected);
});
