import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { erasureAuthentic, unwrapKey, type Erasure, type ErasureRow } from '@complaint-ledger/privacy';
import type { LedgerLogger } from '../logger';
import type { EventStoreKeyStore } from './eventstore-key-store';

export interface KeyFileMoved {
  readonly keys: number;
  readonly erasures: number;
  /** Residents whose erasure in the file came before a key the store gave them since: for an operator to review. */
  readonly toReview: readonly string[];
}

/**
 * Moves a key file written before the keys were in EventStoreDB (decision 0028) into the store,
 * then deletes it (never one beside a SQLite log, `ledger.sqlite`, whose keys it is): its keys (unless the store records their resident's erasure after they were
 * made) and its erasures (destroying the resident's keys in the store). A copy left behind would
 * keep readable what an erasure through the store destroys. Run at start; a move cut short is
 * finished by the next one (what is in the store already is recognised).
 */
export async function moveKeyFileIntoStore(
  path: string,
  masterKey: Buffer,
  keys: EventStoreKeyStore,
  logger: LedgerLogger,
): Promise<KeyFileMoved | null> {
  if (path === ':memory:' || !existsSync(path)) return null;
  if (existsSync(join(dirname(path), 'ledger.sqlite'))) {
    logger.warn(`${path} is beside a SQLite log (ledger.sqlite), whose keys it holds: not moved into EventStoreDB`);
    return null;
  }
  const db = new Database(path);
  try {
    db.pragma('secure_delete = ON');
    const rows = db.prepare('SELECT key_id, subject, wrapped, created_at FROM data_keys ORDER BY created_at').all() as {
      key_id: string;
      subject: string;
      wrapped: Buffer;
      created_at: string;
    }[];
    const erasures = authenticErasures(db, masterKey, path, logger);
    let moved = 0;
    for (const row of rows) {
      const key = unwrapKey(masterKey, row.wrapped, row.subject, row.key_id, true);
      if (!key) {
        logger.warn(`key ${row.key_id} in ${path} does not open with this master key: not moved`);
        continue;
      }
      if ((await keys.adopt(row.subject, row.key_id, key, row.created_at)) === 'moved') moved += 1;
    }
    const toReview: string[] = [];
    let erased = 0;
    for (const erasure of erasures) {
      const outcome = await keys.adoptErasure(erasure);
      if (outcome === 'moved') erased += 1;
      if (outcome === 'review') toReview.push(erasure.subject);
    }
    db.exec('DELETE FROM data_keys; DELETE FROM erasures;'); // overwritten (secure_delete), then the files go
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    logger.log(
      `moved ${moved} residents' keys and ${erased} erasures from ${path} into EventStoreDB, and deleted the file (decision 0028)`,
    );
    if (toReview.length)
      logger.warn(
        `the key file recorded erasures of ${toReview.length} residents who were given keys since (review them; erase again if meant): ${toReview.join(', ')}`,
      );
    return { keys: moved, erasures: erased, toReview };
  } finally {
    if (db.open) db.close();
  }
}

/**
 * The file's erasures the ledger recorded: in a file of decision 0023's form (erasures with a MAC),
 * one whose MAC does not match was written by someone without the master key and is not moved (it
 * would destroy a resident's keys in the store); a file from before has none to check.
 */
function authenticErasures(db: Database.Database, masterKey: Buffer, path: string, logger: LedgerLogger): Erasure[] {
  const columns = db.prepare("SELECT name FROM pragma_table_info('erasures')").pluck().all() as string[];
  const macs = columns.includes('mac') && columns.includes('legacy');
  const rows = db
    .prepare(
      `SELECT subject, erased_at, actor, reason, ${macs ? 'legacy, mac' : '0 AS legacy, NULL AS mac'} FROM erasures ORDER BY erased_at`,
    )
    .all() as ErasureRow[];
  return rows.flatMap((row) => {
    if (macs && !erasureAuthentic(masterKey, row)) {
      logger.warn(
        `an erasure of ${JSON.stringify(row.subject)} in ${path} is not one the ledger recorded (its MAC does not match): not moved`,
      );
      return [];
    }
    return [{ subject: row.subject, erasedAt: row.erased_at, actor: row.actor, reason: row.reason }];
  });
}
