import { endOfLondonDay, startOfLondonDay, type ComplaintStatus, type Stage, type Tenure } from '@complaint-ledger/domain';
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

/**
 * Newest first; the cursor is the last row's (received_at, id), so pages never shift under inserts.
 * Now, or at a point in time (complaint-at.ts): as the read model said at `knownAt`, each complaint
 * as it stood at `asOf`.
 */
export function listComplaints(
  db: ReadModelDatabase,
  filter: ComplaintFilter,
  cursor: string | undefined,
  limit: number,
  at: PointInTime = {},
): Page<ComplaintSummary> {
  const { sql, params } = complaintListQuery(filter, cursor, limit, at);
  const rows = db.prepare(sql).all(params) as Row[];
  const items = rows.slice(0, limit).map(toSummary);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.receivedAt, last.id]) : null };
}

/** The list's SQL (a row more than the page, to know if there is a next): ordered by the (received_at, key) index. */
export function complaintListQuery(filter: ComplaintFilter, cursor: string | undefined, limit: number, at: PointInTime = {}) {
  const rows = complaintsAt(at);
  const where = new SqlFilter()
    .when(filter.status, 'status', `${rows.status} = @status`)
    .when(filter.stage, 'stage', `${rows.stage} = @stage`)
    .when(filter.tenure, 'tenure', 'tenure = @tenure')
    .whenTrue(filter.breached === true, 'breaches > 0')
    .whenTrue(filter.breached === false, 'breaches = 0')
    // London days as instants, so the range is read from the received_at index the list is ordered by
    .when(filter.receivedFrom && startOfLondonDay(filter.receivedFrom), 'receivedFrom', 'received_at >= @receivedFrom')
    .when(filter.receivedTo && endOfLondonDay(filter.receivedTo), 'receivedTo', 'received_at <= @receivedTo')
    .after(cursor ? decodeCursor(cursor) : null, '(received_at, key) < (@afterAt, @afterKey)');
  for (const clause of rows.where) where.whenTrue(true, clause);
  return {
    sql: `SELECT key, ${rows.status} AS status, ${rows.stage} AS stage, received_at, tenure, category, channel, revision, breaches, next_alert_at
       FROM ${rows.from} ${where.sql} ORDER BY received_at DESC, key DESC LIMIT @limit`,
    params: { ...where.params, ...rows.params, limit: limit + 1 },
  };
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
