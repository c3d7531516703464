import { decodeCursor, encodeCursor, type Page } from '../complaints/complaint-list';
import { SqlFilter } from '../sql-filter';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import type { AlertDocument } from './alert-projection';

export interface AlertFilter {
  /** Instants, inclusive: when the alert was recorded. */
  readonly from?: string;
  readonly to?: string;
  readonly kind?: string;
  readonly type?: AlertDocument['type'];
  readonly complaintId?: string;
}

/** Recorded alerts, oldest first, paged by (at, event id). */
export function listAlerts(db: ReadModelDatabase, filter: AlertFilter, cursor: string | undefined, limit: number): Page<AlertDocument> {
  const where = new SqlFilter()
    .when(filter.from, 'from', 'at >= @from')
    .when(filter.to, 'to', 'at <= @to')
    .when(filter.kind, 'kind', 'kind = @kind')
    .when(filter.type, 'type', 'type = @type')
    .when(filter.complaintId, 'complaintId', 'complaint_id = @complaintId')
    .after(cursor ? decodeCursor(cursor) : null, '(at, key) > (@afterAt, @afterKey)');
  const docs = (
    db
      .prepare(
        `SELECT doc FROM ${tableOf({ name: 'deadline_alerts' })} ${where.sql}
         ORDER BY at, key LIMIT @limit`,
      )
      .pluck()
      .all({ ...where.params, limit: limit + 1 }) as string[]
  ).map((doc) => JSON.parse(doc) as AlertDocument);
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: docs.length > limit && last ? encodeCursor([last.at, last.eventId]) : null };
}
