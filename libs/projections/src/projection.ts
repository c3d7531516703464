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
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjection = KeyedProjection<any>;
