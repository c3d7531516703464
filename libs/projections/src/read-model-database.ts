import { boundPageCache, preparePrivateFile } from '@complaint-ledger/event-store';
import Database from 'better-sqlite3';
import type { AnyProjection, ColumnValue } from './projection';

export type ReadModelDatabase = Database.Database;

/**
 * The projections' own SQLite file, apart from the event log (it works the same whichever store
 * holds the log). Read models are disposable caches of the log, so synchronous=NORMAL: a crash
 * may lose the last batches, but documents and checkpoint are written in one transaction and
 * roll back together, and the runner replays from the checkpoint.
 */
export function openReadModelDatabase(path: string): ReadModelDatabase {
  preparePrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  boundPageCache(db);
  db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name     TEXT PRIMARY KEY,
    version  TEXT NOT NULL,
    position INTEGER NOT NULL
  );
  -- the last event applied, by position and hash: which log the read models were built from
  CREATE TABLE IF NOT EXISTS projection_log (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    hash     TEXT NOT NULL
  )`);
  return db;
}

export const tableOf = (projection: Pick<AnyProjection, 'name'>) => `rm_${projection.name}`;

/** Creates the projection's table; drops it first when its version changed or a rebuild is asked for. */
export function prepareTable(db: ReadModelDatabase, projection: AnyProjection, rebuild: boolean): void {
  const table = tableOf(projection);
  const stored = db.prepare('SELECT version FROM projection_checkpoints WHERE name = ?').get(projection.name) as
    { version: string } | undefined;
  if (rebuild || (stored && stored.version !== projection.version)) {
    db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(`DROP TABLE IF EXISTS ${table}_versions`);
    db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(projection.name);
  }
  const columns = projection.columns.map((c) => `, ${c.name} ${c.type}`).join('');
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, doc TEXT NOT NULL${columns})`);
  for (const column of projection.columns.filter((c) => c.indexed)) {
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_${column.name} ON ${table} (${column.name})`);
  }
  for (const columns of projection.indexes ?? []) {
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_${columns.join('_')} ON ${table} (${columns.join(', ')})`);
  }
  if (projection.history) {
    const versions = `${table}_versions`;
    db.exec(`CREATE TABLE IF NOT EXISTS ${versions} (key TEXT NOT NULL, known_from TEXT NOT NULL, known_to TEXT NOT NULL${columns},
      PRIMARY KEY (key, known_from))`);
    for (const indexed of projection.history.indexes)
      db.exec(`CREATE INDEX IF NOT EXISTS ${versions}_${indexed.join('_')} ON ${versions} (${indexed.join(', ')})`);
  }
  db.prepare('INSERT OR IGNORE INTO projection_checkpoints (name, version, position) VALUES (?, ?, -1)').run(
    projection.name,
    projection.version,
  );
}

/** Every row of every read model, in key order: the byte-for-byte identity rebuilds must keep. */
export function dumpReadModels(db: ReadModelDatabase, projections: readonly Pick<AnyProjection, 'name' | 'history'>[]): string {
  return projections
    .map((projection) => {
      const rows = db.prepare(`SELECT * FROM ${tableOf(projection)} ORDER BY key`).all();
      const history = projection.history ? db.prepare(`SELECT * FROM ${tableOf(projection)}_versions ORDER BY key, known_from`).all() : [];
      return `${projection.name}\n${[...rows, ...history].map((row) => JSON.stringify(row)).join('\n')}`;
    })
    .join('\n');
}

/** Writes a projection's document and its columns under `key` (insert or replace). */
export function documentWriter(db: ReadModelDatabase, projection: AnyProjection): (key: string, doc: unknown) => void {
  const names = ['key', 'doc', ...projection.columns.map((c) => c.name)];
  const upsert = db.prepare(
    `INSERT INTO ${tableOf(projection)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
     ON CONFLICT (key) DO UPDATE SET ${names
       .slice(1)
       .map((n) => `${n} = excluded.${n}`)
       .join(', ')}`,
  );
  return (key, doc) => upsert.run(key, JSON.stringify(doc), ...projection.columns.map((c): ColumnValue => c.of(doc)));
}
