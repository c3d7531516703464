import { decodeCursor, encodeCursor, type Page } from '../complaints/complaint-list';
import { SqlFilter } from '../sql-filter';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import { keyOfAlert, type AlertDocument } from './alert-projection';

export interface AlertFilter {
  /** Instants, inclusive: when the alert was detected. */
  readonly from?: string;
  readonly to?: string;
  readonly kind?: string;
  readonly type?: AlertDocument['type'];
  readonly complaintId?: string;
  /** Record time: only what had been recorded by this instant (retractions too). */
  readonly knownAt?: string;
  /** Business time: deadlines due by this instant. */
  readonly asOf?: string;
  /** Also list breaches that facts recorded later disproved (with their retraction). */
  readonly includeRetracted?: boolean;
}

/**
 * Recorded alerts, oldest first, paged by (at, key). By default the current truth: breaches not
 * retracted (as known at `knownAt`, when given). A retraction recorded after `knownAt` was not yet
 * known then, so the breach is listed without it.
 */
export function listAlerts(db: ReadModelDatabase, filter: AlertFilter, cursor: string | undefined, limit: number): Page<AlertDocument> {
  const { sql, params } = alertListQuery(filter, cursor, limit);
  const docs = (db.prepare(sql).pluck().all(params) as string[]).map((doc) => asKnownAt(JSON.parse(doc) as AlertDocument, filter.knownAt));
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: docs.length > limit && last ? encodeCursor([last.at, keyOfAlert(last)]) : null };
}

/** The alerts list's SQL (a row more than the page): ordered by the (at, key) index. */
export function alertListQuery(filter: AlertFilter, cursor: string | undefined, limit: number) {
  const known = filter.knownAt;
  const where = new SqlFilter()
    .when(filter.from, 'from', 'at >= @from')
    .when(filter.to, 'to', 'at <= @to')
    .when(filter.kind, 'kind', 'kind = @kind')
    .when(filter.type, 'type', 'type = @type')
    .when(filter.complaintId, 'complaintId', 'complaint_id = @complaintId')
    .when(known, 'knownAt', 'recorded_at <= @knownAt')
    .when(filter.asOf, 'asOf', 'due_at <= @asOf')
    .whenTrue(!filter.includeRetracted && !known, 'retracted_recorded_at IS NULL')
    .whenTrue(!filter.includeRetracted && Boolean(known), '(retracted_recorded_at IS NULL OR retracted_recorded_at > @knownAt)')
    .after(cursor ? decodeCursor(cursor) : null, '(at, key) > (@afterAt, @afterKey)');
  return {
    sql: `SELECT doc FROM ${tableOf({ name: 'deadline_alerts' })} ${where.sql} ORDER BY at, key LIMIT @limit`,
    params: { ...where.params, limit: limit + 1 },
  };
}

function asKnownAt(doc: AlertDocument, knownAt: string | undefined): AlertDocument {
  if (!knownAt || !doc.retracted || doc.retracted.recordedAt <= knownAt) return doc;
  const { retracted: _later, ...then } = doc;
  return then;
}
