import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';

/**
 * The log's layout, version 2 (`PRAGMA user_version`).
 *
 * Streams get an integer key in the order they were created, and the events' indexes are keyed
 * by it: (stream, revision) for reading a stream and its head, (stream, event id) for recognising
 * a retried append. Complaints whose deadlines fall due together were mostly recorded together,
 * so a breach sweep's appends land in a few neighbouring index pages. Version 1 keyed both
 * indexes by random strings (the stream name, and the event id across all streams), so the same
 * sweep rewrote most of both indexes, and its commits were many times larger.
 *
 * An event id is unique within its stream, as in EventStoreDB. Ids are random or derived from
 * names that include the stream, so the same id in two streams would take a bug, and nothing
 * reads an event by id alone.
 *
 * `stream_id` stays on each event so that reading the log in order needs no join.
 */
export const SCHEMA_VERSION = 2;

const CREATE = `
  CREATE TABLE streams (
    key  INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
  );
  CREATE TABLE events (
    position   INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_key INTEGER NOT NULL REFERENCES streams (key),
    stream_id  TEXT    NOT NULL,
    revision   INTEGER NOT NULL,
    event_id   TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    metadata   TEXT    NOT NULL,
    UNIQUE (stream_key, revision),
    UNIQUE (stream_key, event_id)
  );`;

/**
 * Creates the layout in a new file, or upgrades a version 1 file in place: one transaction, so
 * a crash leaves the old layout whole. Every event keeps its position, content and hash; stream
 * keys follow each stream's first position. Two processes opening the same old file at once are
 * serialised by the write lock, and the second finds the work done.
 */
export function openSchema(db: Database.Database): LayoutUpgrade | null {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() === SCHEMA_VERSION) return null;
  const started = performance.now();
  // the number of events carried over from layout 1, or null when there was nothing to upgrade
  const upgradedEvents = db
    .transaction((): number | null => {
      if (version() === SCHEMA_VERSION) return null;
      const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
      if (hasEvents && version() !== 0)
        throw new Error(`the event log has layout version ${version()}; this service knows ${SCHEMA_VERSION}`);
      if (hasEvents) upgradeFromVersion1(db);
      else db.exec(CREATE);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return hasEvents ? (db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number) : null;
    })
    .immediate();
  if (upgradedEvents === null) return null;
  return { from: 1, to: SCHEMA_VERSION, events: upgradedEvents, ms: Math.round(performance.now() - started) };
}

/** What opening a file upgraded, for the service to log. */
export interface LayoutUpgrade {
  readonly from: number;
  readonly to: number;
  readonly events: number;
  readonly ms: number;
}

function upgradeFromVersion1(db: Database.Database): void {
  db.exec(`
    ALTER TABLE events RENAME TO events_v1;
    ${CREATE}
    INSERT INTO streams (name) SELECT stream_id FROM events_v1 GROUP BY stream_id ORDER BY MIN(position);
    INSERT INTO events (position, stream_key, stream_id, revision, event_id, type, data, metadata)
      SELECT e.position, s.key, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata
      FROM events_v1 e JOIN streams s ON s.name = e.stream_id ORDER BY e.position;
    UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'events_v1') WHERE name = 'events';
    DROP TABLE events_v1;
  `);
}
