import {
  COMPLAINT_STATUSES,
  endOfLondonDay,
  startOfLondonDay,
  TENURES,
  type ComplaintStatus,
  type Stage,
  type Tenure,
} from '@complaint-ledger/domain';
import { SqlFilter } from '../sql-filter';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import type { ComplaintDocument } from './complaint-projection';
import { complaintsAt } from './complaint-at';
import type { PointInTime } from '../point-in-time';

export interface ComplaintFilter {
  readonly status?: ComplaintStatus;
  readonly stage?: Stage;
  /** Complaints with at least one recorded `DeadlineBreached`. */
  readonly breached?: boolean;
  readonly tenure?: Tenure;
  /** London dates, inclusive. */
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
}

export interface ComplaintSummary {
  readonly id: string;
  readonly status: ComplaintStatus;
  readonly stage: Stage;
  readonly receivedAt: string;
  readonly tenure: Tenure;
  readonly category: string;
  readonly channel: string;
  readonly revision: number;
  readonly breaches: number;
  readonly nextAlertAt: string | null;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

const COMPLAINTS = tableOf({ name: 'complaints' });

/** Matches of the list's filters counted at most, to tell a filter that matches few from one that matches many. */
export const FEW = 4_000;

/**
 * Newest first; the cursor is the last row's (received_at, id), so pages never shift under inserts.
 * Now, or at a point in time (complaint-at.ts): as the read model said at `knownAt`, each complaint
 * as it stood at `asOf`.
 *
 * Now, a filtered page costs what it returns either way. A filter that matches many complaints is
 * met often along the list's own order (the received-at index), which stops once the page is
 * full; one that matches few would make that walk read most of the ledger, so they are found by
 * the index of every filter (status, stage, tenure, breached: each one value, or all of them), at
 * most FEW entries read, sorted, and the page's rows read by key. Which of the two: that index says,
 * counting up to FEW. At a point in time the status is computed, so the walk along the order is
 * the only path: its cost is documented (docs/performance.md).
 */
export function listComplaints(
  db: ReadModelDatabase,
  filter: ComplaintFilter,
  cursor: string | undefined,
  limit: number,
  at: PointInTime = {},
): Page<ComplaintSummary> {
  const after = cursor ? decodeCursor(cursor) : null;
  const live = at.asOf === undefined && at.knownAt === undefined;
  const filtered =
    filter.status !== undefined || filter.stage !== undefined || filter.tenure !== undefined || filter.breached !== undefined;
  const few = live && filtered ? fewMatching(db, filter, after) : null;
  const rows = few
    ? pageOf(db, few, limit)
    : (db.prepare(complaintListQuery(filter, cursor, limit, at).sql).all(complaintListQuery(filter, cursor, limit, at).params) as Row[]);
  const items = rows.slice(0, limit).map(toSummary);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.receivedAt, last.id]) : null };
}

/** The list's SQL along its own order (a row more than the page, to know if there is a next): the (received_at, key) index. */
export function complaintListQuery(filter: ComplaintFilter, cursor: string | undefined, limit: number, at: PointInTime = {}) {
  const rows = complaintsAt(at);
  const where = new SqlFilter()
    .when(filter.status, 'status', `${rows.status} = @status`)
    .when(filter.stage, 'stage', `${rows.stage} = @stage`)
    .when(filter.tenure, 'tenure', 'tenure = @tenure')
    .whenTrue(filter.breached === true, `${rows.breaches} > 0`)
    .whenTrue(filter.breached === false, `${rows.breaches} = 0`)
    // London days as instants, so the range is read from the received_at index the list is ordered by
    .when(filter.receivedFrom && startOfLondonDay(filter.receivedFrom), 'receivedFrom', 'received_at >= @receivedFrom')
    .when(filter.receivedTo && endOfLondonDay(filter.receivedTo), 'receivedTo', 'received_at <= @receivedTo')
    .after(cursor ? decodeCursor(cursor) : null, '(received_at, key) < (@afterAt, @afterKey)');
  for (const clause of rows.where) where.whenTrue(true, clause);
  // along the order, whatever else SQLite might think of: this walk stops when the page is full
  const order = rows.from === COMPLAINTS ? ` INDEXED BY ${COMPLAINTS}_received_at_key_last_dated_on` : '';
  return {
    sql: `SELECT key, ${rows.status} AS status, ${rows.stage} AS stage, received_at, tenure, category, channel, revision, ${rows.breaches} AS breaches, next_alert_at
       FROM ${rows.from}${order} ${where.sql} ORDER BY received_at DESC, key DESC LIMIT @limit`,
    params: { ...where.params, ...rows.params, limit: limit + 1 },
  };
}

/** The filters' index read for the matches (each filter one value, or all of its values): at most FEW, in no order. */
export function complaintProbeQuery(filter: ComplaintFilter, after: readonly [string, string] | null) {
  const all = <T>(given: T | undefined, values: readonly T[]) => (given === undefined ? values : [given]);
  const list = (values: readonly (string | number)[]) => values.map((v) => (typeof v === 'number' ? v : `'${v}'`)).join(', ');
  const where = new SqlFilter()
    .whenTrue(true, `status IN (${list(all(filter.status, COMPLAINT_STATUSES))})`)
    .whenTrue(true, `stage IN (${list(all(filter.stage, [1, 2]))})`)
    .whenTrue(true, `tenure IN (${list(all(filter.tenure, TENURES))})`)
    .whenTrue(true, `breached IN (${list(filter.breached === undefined ? [0, 1] : [Number(filter.breached)])})`)
    .when(filter.receivedFrom && startOfLondonDay(filter.receivedFrom), 'receivedFrom', 'received_at >= @receivedFrom')
    .when(filter.receivedTo && endOfLondonDay(filter.receivedTo), 'receivedTo', 'received_at <= @receivedTo')
    .after(after, '(received_at, key) < (@afterAt, @afterKey)');
  return {
    sql: `SELECT key, received_at FROM ${COMPLAINTS} INDEXED BY ${COMPLAINTS}_status_stage_tenure_breached_received_at_key ${where.sql} LIMIT @few`,
    params: { ...where.params, few: FEW },
  };
}

/** Every match, newest first, when there are fewer than FEW; null when there are more (the walk along the order finds them soon). */
function fewMatching(
  db: ReadModelDatabase,
  filter: ComplaintFilter,
  after: readonly [string, string] | null,
): { key: string; received_at: string }[] | null {
  const { sql, params } = complaintProbeQuery(filter, after);
  // counted inside SQLite first: a filter matching many (status=open) is told by reading FEW index
  // entries, not by building FEW rows in JavaScript to throw away (3.3 ms of a 3.5 ms page at 10,000 complaints)
  if ((db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get(params) as number) >= FEW) return null;
  const matches = db.prepare(sql).all(params) as { key: string; received_at: string }[];
  return matches.sort((a, b) => (a.received_at === b.received_at ? (a.key < b.key ? 1 : -1) : a.received_at < b.received_at ? 1 : -1));
}

/** The page (and one more row) of the matches, read by key, in their order. */
function pageOf(db: ReadModelDatabase, matches: readonly { key: string }[], limit: number): Row[] {
  const keys = matches.slice(0, limit + 1).map((match) => match.key);
  if (!keys.length) return [];
  const rows = db
    .prepare(
      `SELECT key, status, stage, received_at, tenure, category, channel, revision, breaches, next_alert_at FROM ${COMPLAINTS}
       WHERE key IN (${keys.map(() => '?').join(', ')})`,
    )
    .all(...keys) as Row[];
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return keys.map((key) => byKey.get(key)!);
}

/** Complaints with an alert due by `now`, earliest first: a sweep costs what is due, not what exists. */
export function complaintsWithAlertsDue(db: ReadModelDatabase, now: string, limit: number): ComplaintDocument[] {
  return (
    db.prepare(`SELECT doc FROM ${COMPLAINTS} WHERE next_alert_at <= ? ORDER BY next_alert_at LIMIT ?`).pluck().all(now, limit) as string[]
  ).map((doc) => JSON.parse(doc) as ComplaintDocument);
}

interface Row {
  key: string;
  status: ComplaintStatus;
  stage: Stage;
  received_at: string;
  tenure: Tenure;
  category: string;
  channel: string;
  revision: number;
  breaches: number;
  next_alert_at: string | null;
}

const toSummary = (row: Row): ComplaintSummary => ({
  id: row.key,
  status: row.status,
  stage: row.stage,
  receivedAt: row.received_at,
  tenure: row.tenure,
  category: row.category,
  channel: row.channel,
  revision: row.revision,
  breaches: row.breaches,
  nextAlertAt: row.next_alert_at,
});

export const encodeCursor = (values: readonly (string | number)[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** Null for anything that is not a cursor this service issued (the caller answers 400). */
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(values) && values.length === 2 && values.every((v) => typeof v === 'string') ? (values as [string, string]) : null;
  } catch {
    return null;
  }
}
