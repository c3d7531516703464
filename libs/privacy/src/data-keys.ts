import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Keys remembered unwrapped, at most (one per resident recently written or read). */
const REMEMBERED_KEYS = 50_000;

/** Remembers `value` under `key`, emptying the map first when it is full: the keys used most recently stay. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= REMEMBERED_KEYS) map.clear();
  map.set(key, value);
  return value;
}

export interface Erasure {
  readonly subject: string;
  readonly erasedAt: string;
  readonly actor: string;
  readonly reason: string;
}

/**
 * Residents' data keys, kept apart from the events in their own SQLite file and wrapped
 * (AES-256-GCM) by the master key from configuration: the file alone decrypts nothing. Each key
 * has a random id (what encrypted values name) and belongs to one resident (the subject).
 * Erasing a subject overwrites and deletes all its keys (secure_delete), so what was encrypted
 * under them can never be read again — crypto-shredding: the events stay immutable and their hash
 * chain intact. Personal data given after an erasure gets a new key. Erasures themselves are
 * remembered (who, when, why); keys are not.
 */
export class DataKeyStore {
  private readonly db: Database.Database;
  /** Unwrapped keys by id, and each subject's current key: trusted only while no other connection has written. */
  private readonly byId = new Map<string, Buffer>();
  private readonly currentKeys = new Map<string, { id: string; key: Buffer }>();
  private seenVersion = -1;
  private readonly statements;

  constructor(
    path: string,
    private readonly masterKey: Buffer,
  ) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL'); // a key must be durable before data encrypted under it is
    this.db.pragma('secure_delete = ON'); // erased keys are overwritten, not just unlinked from the tree
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS data_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS data_keys_subject ON data_keys (subject);
      CREATE TABLE IF NOT EXISTS erasures (subject TEXT NOT NULL, erased_at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
        PRIMARY KEY (subject, erased_at));`);
    this.statements = {
      current: this.db.prepare<[string], { key_id: string; wrapped: Buffer }>(
        'SELECT key_id, wrapped FROM data_keys WHERE subject = ? ORDER BY created_at, rowid LIMIT 1',
      ),
      byId: this.db.prepare('SELECT wrapped FROM data_keys WHERE key_id = ?').pluck(),
      insert: this.db.prepare('INSERT INTO data_keys (key_id, subject, wrapped, created_at) VALUES (?, ?, ?, ?)'),
      ids: this.db.prepare('SELECT key_id FROM data_keys WHERE subject = ?').pluck(),
      erased: this.db.prepare(
        'SELECT subject, erased_at AS erasedAt, actor, reason FROM erasures WHERE subject = ? ORDER BY erased_at DESC LIMIT 1',
      ),
      remove: this.db.prepare('DELETE FROM data_keys WHERE subject = ?'),
      remember: this.db.prepare('INSERT OR IGNORE INTO erasures (subject, erased_at, actor, reason) VALUES (?, ?, ?, ?)'),
      // changes whenever another connection commits to the file (not on this connection's own commits)
      dataVersion: this.db.prepare('PRAGMA data_version').pluck(),
    };
  }

  /** The subject's current key (created on first use, or afresh after an erasure), with its id. */
  keyFor(subject: string, now: string): { id: string; key: Buffer } {
    this.forgetIfChangedElsewhere();
    const remembered = this.currentKeys.get(subject);
    if (remembered) return remembered;
    const existing = this.statements.current.get(subject);
    if (existing) {
      return remember(this.currentKeys, subject, { id: existing.key_id, key: this.cached(existing.key_id, existing.wrapped) });
    }
    const id = randomBytes(16).toString('base64url');
    this.statements.insert.run(id, subject, this.wrap(randomBytes(32)), now);
    return this.keyFor(subject, now); // another process may have added one too: both stay readable
  }

  /** The key with this id, or null once its subject has been erased. */
  find(id: string): Buffer | null {
    this.forgetIfChangedElsewhere();
    const known = this.byId.get(id);
    if (known) return known;
    const wrapped = this.statements.byId.get(id) as Buffer | undefined;
    return wrapped ? this.cached(id, wrapped) : null;
  }

  /** The subject's latest erasure, if any. */
  erasure(subject: string): Erasure | null {
    return (this.statements.erased.get(subject) as Erasure | undefined) ?? null;
  }

  /** Destroys every key of the subject; false when there was none left to destroy (already erased). */
  erase(subject: string, erasedAt: string, actor: string, reason: string): boolean {
    return this.db.transaction(() => {
      const ids = this.statements.ids.all(subject) as string[];
      for (const id of ids) this.byId.delete(id);
      this.currentKeys.delete(subject);
      this.statements.remove.run(subject);
      if (!ids.length && this.erasure(subject)) return false;
      this.statements.remember.run(subject, erasedAt, actor, reason);
      return true;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Another process on the same key file (a second API replica, the erasure CLI) may have erased a
   * subject or given it a key: then nothing remembered is trusted, so an erased key neither decrypts
   * here nor encrypts new data that nobody could read again.
   */
  private forgetIfChangedElsewhere(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.byId.clear();
    this.currentKeys.clear();
  }

  /** The unwrapped key, unwrapped once per process (until another process changes the file). */
  private cached(id: string, wrapped: Buffer): Buffer {
    return this.byId.get(id) ?? remember(this.byId, id, this.unwrap(wrapped));
  }

  private wrap(key: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  }

  private unwrap(wrapped: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, wrapped.subarray(0, 12));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  }
}
