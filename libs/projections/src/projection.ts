import type { RecordedEvent } from '@complaint-ledger/event-store';

export type ColumnValue = string | number | null;

/** A column of a read model, derived from its document, indexed when queries filter or order by it. */
export interface Column<Doc> {
  readonly name: string;
  readonly type: 'TEXT' | 'INTEGER';
  readonly indexed?: boolean;
  of(doc: Doc): ColumnValue;
}

/**
 * A projection (docs/architecture.md, principle 6) is a pure reducer over the global event order, keyed:
 * each event updates at most one document. The runner keeps documents and columns in SQLite;
 * the projection never sees the database, so replaying the log always gives the same rows.
 */
export interface KeyedProjection<Doc> {
  readonly name: string;
  /** Changes whenever what the projection writes would change; a new version rebuilds from zero. */
  readonly version: string;
  readonly columns: readonly Column<Doc>[];
  /** Indexes over several columns (a list's order with its tie-breaker, `key` included), beyond each column's own. */
  readonly indexes?: readonly (readonly string[])[];
  keyOf(event: RecordedEvent): string | null;
  evolve(doc: Doc | null, event: RecordedEvent): Doc | null;
  /**
   * Keep the columns' history by record time (`<table>_versions`): a row per span of record time
   * in which a document's columns held their values, from `known_from` (the recorded instant of the
   * event that gave them) to `known_to` (that of the event that changed them; OPEN while current).
   * What the read model said at any instant, without the log: point-in-time queries read it.
   */
  readonly history?: ColumnHistory;
}

export interface ColumnHistory {
  /** Columns that change with nearly every event (a revision): kept as they were when the span began, never opening one. */
  readonly unversioned: readonly string[];
  /** Indexes of the versions table, beyond its key (key, known_from). */
  readonly indexes: readonly (readonly string[])[];
}

/** `known_to` of the span still current: after any instant. */
export const OPEN = '9999-12-31T23:59:59.999Z';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjection = KeyedProjection<any>;
