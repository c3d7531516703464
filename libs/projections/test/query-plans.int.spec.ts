import { WorkingCalendar } from '@complaint-ledger/domain';
import { MemoryEventStore } from '@complaint-ledger/event-store';
import {
  alertListQuery,
  complaintListQuery,
  complaintProbeQuery,
  decodeCursor,
  type PointInTime,
  encodeCursor,
  openReadModelDatabase,
  ProjectionRunner,
  readModelProjections,
  type AlertFilter,
  type ComplaintFilter,
} from '../src';

/**
 * Every list query the API can send, planned by SQLite: each must walk an index in the list's own
 * order — no scan of a table without one, no sort in a temporary B-tree — so a page costs a page
 * at any size of the ledger.
 */
const db = openReadModelDatabase(':memory:');
new ProjectionRunner(new MemoryEventStore(), db, readModelProjections({ calendar: new WorkingCalendar() }, { warningWorkingDays: 2 }));

const plan = ({ sql, params }: { sql: string; params: object }) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((row) => row.detail).join(' / ');

/** Every subset of the given filters. */
function combinations<T extends object>(options: readonly T[]): T[] {
  return options.reduce<T[]>((all, option) => [...all, ...all.map((combo) => ({ ...combo, ...option }))], [{} as T]);
}

const cursor = encodeCursor(['2024-05-01T09:00:00.000Z', 'c0ffee00-0000-4000-8000-000000000001']);
/** A sort in a temporary B-tree, or a step scanning a table without an index. */
const badPlan = (detail: string) =>
  /TEMP B-TREE/.test(detail) || detail.split(' / ').some((step) => step.startsWith('SCAN') && !/USING (COVERING )?INDEX/.test(step));

describe('list queries use an index in their own order', () => {
  const complaintFilters = combinations<ComplaintFilter & { cursor?: string }>([
    { status: 'open' },
    { stage: 1 },
    { tenure: 'LCRA' },
    { breached: true },
    { receivedFrom: '2024-04-01' },
    { receivedTo: '2025-03-31' },
    { cursor },
  ]).concat(combinations<ComplaintFilter>([{ breached: false }, { status: 'closed' }]));

  it(`plans every one of the complaints list's ${complaintFilters.length} filter combinations without a table scan or a temporary sort`, () => {
    const bad = complaintFilters
      .map(({ cursor: after, ...filter }) => ({ filter, detail: plan(complaintListQuery(filter, after, 50)) }))
      .filter(({ detail }) => badPlan(detail));
    expect(bad).toEqual([]);
  });

  it('finds the few matches of every filter combination in the filters index alone, reading no row', () => {
    const plans = complaintFilters.map(({ cursor: after, ...filter }) => {
      const detail = plan(complaintProbeQuery(filter, after ? decodeCursor(after) : null));
      return {
        filter,
        searchesTheIndex: /^SEARCH rm_complaints USING COVERING INDEX rm_complaints_status_stage_tenure_breached_received_at_key/.test(
          detail,
        ),
      };
    });
    expect(plans.filter(({ searchesTheIndex }) => !searchesTheIndex)).toEqual([]);
  });

  const points: PointInTime[] = [
    { knownAt: '2025-01-01T00:00:00Z' },
    { asOf: '2024-10-01T00:00:00Z' },
    { asOf: '2024-10-01T00:00:00Z', knownAt: '2025-01-01T00:00:00Z' },
  ];
  it.each(points)('at %j, walks the list in its own order (the history by record time), with no temporary sort', (at) => {
    const bad = complaintFilters
      .map(({ cursor: after, ...filter }) => ({ filter, detail: plan(complaintListQuery(filter, after, 50, at)) }))
      .filter(({ detail }) => badPlan(detail));
    expect(bad).toEqual([]);
  });

  const alertFilters = combinations<AlertFilter & { cursor?: string }>([
    { from: '2024-01-01T00:00:00Z' },
    { to: '2025-01-01T00:00:00Z' },
    { kind: 'acknowledgement' },
    { type: 'DeadlineBreached' },
    { complaintId: 'c0ffee00-0000-4000-8000-000000000001' },
    { knownAt: '2026-01-01T00:00:00Z' },
    { asOf: '2025-01-01T00:00:00Z' },
    { includeRetracted: true },
    { cursor },
  ]);

  it(`plans every one of the breaches list's ${alertFilters.length} filter combinations without a table scan or a temporary sort`, () => {
    const bad = alertFilters
      .map(({ cursor: after, ...filter }) => ({ filter, detail: plan(alertListQuery(filter, after, 50)) }))
      .filter(({ detail }) => badPlan(detail));
    expect(bad).toEqual([]);
  });

  it('would catch a plan that sorts: the check itself', () => {
    expect(badPlan(plan({ sql: 'SELECT key FROM rm_complaints ORDER BY category', params: {} }))).toBe(true);
    expect(badPlan(plan(complaintListQuery({}, undefined, 50)))).toBe(false);
  });
});

describe("the projections' own statements", () => {
  it("find a complaint's spans of history by its key (the primary key), never by walking every open span", () => {
    const own = openReadModelDatabase(':memory:');
    const prepared: string[] = [];
    const prepare = own.prepare.bind(own);
    own.prepare = ((sql: string) => (prepared.push(sql), prepare(sql))) as typeof own.prepare;
    new ProjectionRunner(new MemoryEventStore(), own, readModelProjections({ calendar: new WorkingCalendar() }, { warningWorkingDays: 2 }));
    const byKey = prepared.filter((sql) => /_versions\b/.test(sql) && /WHERE key = \?/.test(sql));
    expect(byKey.length).toBeGreaterThan(0);

    for (const sql of byKey) {
      const args = (sql.match(/\?/g) ?? []).map(() => 'x');
      const steps = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail);
      expect({ sql, steps }).toEqual({ sql, steps: [expect.stringMatching(/USING INDEX sqlite_autoindex_\w+_versions_1 \(key=\?/)] });
    }
  });
});
