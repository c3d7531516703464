import Database from 'better-sqlite3';
import { syncFile } from '@complaint-ledger/event-store';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { erasedKeyMac, erasureMac, isUnboundForm, macMatches, masterKeyId, unwrapKey, wrapKey } from './key-binding';
import { erasureAuthentic, erasureOf, type ErasureRow } from './key-file-audit';

/** A rotation refused before anything was changed: the reason, in one line for the operator. */
export class RotationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationRefused';
  }
}

export interface KeyFileRotated {
  readonly keys: number;
  readonly erasures: number;
  readonly erasedKeys: number;
}

/**
 * Re-wraps every resident's data key in the key file under a new master key (decision 0030), and
 * re-computes the MACs of its erasure records, which are under a key derived from the master key:
 * all in one transaction, after which the file records the new key's id. No process may have the
 * file open: the connection takes SQLite's exclusive lock, which a service's open connection
 * (every API replica, a worker given the master key) holds a share of, so a running service is
 * refused, and one started meanwhile cannot open the file. A row the old key does not open as its
 * resident's, or an erasure it does not authenticate, is tampering: nothing is changed. Then the
 * file is rebuilt (VACUUM, secure_delete) and its WAL truncated, so no page holding an old wrap is
 * left in the file or its WAL, and synced.
 */
export function rotateKeyFile(path: string, oldKey: Buffer, newKey: Buffer): KeyFileRotated {
  if (!existsSync(path)) throw new RotationRefused(`there is no residents' key file at ${path}`);
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE'); // held from the first write below until the connection closes
    db.pragma('secure_delete = ON'); // per connection: the rows overwritten leave no old wrap in freed space
    try {
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY'))
        throw new RotationRefused(`${path} is open in another process (is the service running?): stop every process that uses it first`);
      throw error;
    }
    const rotated = db.transaction(() => rewrap(db, path, oldKey, newKey)).immediate();
    db.exec('VACUUM');
    const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (checkpoint?.busy) throw new Error(`the rotated key file's WAL could not be truncated: run npm run keys:rotate again`);
    return rotated;
  } finally {
    db.close();
    syncFile(path);
    syncFile(dirname(path));
  }
}

function rewrap(db: Database.Database, path: string, oldKey: Buffer, newKey: Buffer): KeyFileRotated {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (!tables.includes('erased_keys') || !tables.includes('master_key'))
    throw new RotationRefused(`${path} was last opened by an older version: start the service once with the old key, stop it, then rotate`);
  const recorded = db.prepare('SELECT id FROM master_key').pluck().get() as string | undefined;
  if (recorded === masterKeyId(newKey)) throw new RotationRefused(`${path} is wrapped under the new master key already`);
  if (recorded !== undefined && recorded !== masterKeyId(oldKey))
    throw new RotationRefused(
      `${path} is wrapped under master key ${recorded}, not under the old key given (${masterKeyId(oldKey)}): give the key it is wrapped under`,
    );
  const altered = (detail: string) =>
    new RotationRefused(`the key file was altered (tampering): ${detail}; nothing was rotated: find out why (npm run verify) first`);

  const keys = db.prepare('SELECT key_id, subject, wrapped FROM data_keys').all() as { key_id: string; subject: string; wrapped: Buffer }[];
  const rewrapKey = db.prepare('UPDATE data_keys SET wrapped = ? WHERE key_id = ?');
  for (const row of keys) {
    const key = unwrapKey(oldKey, row.wrapped, row.subject, row.key_id);
    if (!key) {
      if (isUnboundForm(row.wrapped))
        throw new RotationRefused(`${path} holds keys of the form before they were bound: start the service once with the old key first`);
      throw altered(`key ${row.key_id} filed under ${JSON.stringify(row.subject)} does not open under the old master key as theirs`);
    }
    rewrapKey.run(wrapKey(newKey, key, row.subject, row.key_id), row.key_id);
  }

  const erasures = db.prepare('SELECT subject, erased_at, actor, reason, legacy, mac FROM erasures').all() as ErasureRow[];
  const signErasure = db.prepare('UPDATE erasures SET mac = ? WHERE subject = ? AND erased_at = ?');
  for (const row of erasures) {
    if (!erasureAuthentic(oldKey, row))
      throw altered(`the erasure of ${JSON.stringify(row.subject)} at ${row.erased_at} is not the ledger's`);
    signErasure.run(erasureMac(newKey, erasureOf(row)), row.subject, row.erased_at);
  }

  const erased = db.prepare('SELECT key_id, subject, erased_at, mac FROM erased_keys').all() as {
    key_id: string;
    subject: string;
    erased_at: string;
    mac: string;
  }[];
  const signErased = db.prepare('UPDATE erased_keys SET mac = ? WHERE key_id = ?');
  for (const row of erased) {
    const listed = { keyId: row.key_id, subject: row.subject, erasedAt: row.erased_at };
    if (!macMatches(erasedKeyMac(oldKey, listed), row.mac)) throw altered(`the erased key ${row.key_id} was not listed by the ledger`);
    signErased.run(erasedKeyMac(newKey, listed), row.key_id);
  }

  db.prepare('DELETE FROM master_key').run();
  db.prepare('INSERT INTO master_key (id) VALUES (?)').run(masterKeyId(newKey));
  return { keys: keys.length, erasures: erasures.length, erasedKeys: erased.length };
}
