import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Erasure {
  readonly subject: string;
  readonly erasedAt: string;
  readonly actor: string;
  readonly reason: string;
}

/**
 * Residents' data keys, one per resident (the subject), kept apart from the events in their own
 * SQLite file and wrapped (AES-256-GCM) by the master key from configuration: the file alone
 * decrypts nothing. Erasing a subject overwrites and deletes its key (secure_delete), so what
 * was encrypted under it can never be read again — crypto-shredding: the events stay immutable
 * and their hash chain intact. The erasure itself is remembered (who, when, why), not the key.
 */
export class DataKeyStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Buffer | null>();
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
      CREATE TABLE IF NOT EXISTS data_keys (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS erasures (subject TEXT PRIMARY KEY, erased_at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL);`);
    this.statements = {
      key: this.db.prepare('SELECT wrapped FROM data_keys WHERE subject = ?').pluck(),
      insert: this.db.prepare('INSERT OR IGNORE INTO data_keys (subject, wrapped, created_at) VALUES (?, ?, ?)'),
      erased: this.db.prepare('SELECT subject, erased_at AS erasedAt, actor, reason FROM erasures WHERE subject = ?'),
      remove: this.db.prepare('DELETE FROM data_keys WHERE subject = ?'),
      remember: this.db.prepare('INSERT OR IGNORE INTO erasures (subject, erased_at, actor, reason) VALUES (?, ?, ?, ?)'),
    };
  }

  /** The subject's key, created on first use; null once the subject has been erased. */
  keyFor(subject: string, now: string): Buffer | null {
    const existing = this.find(subject);
    if (existing || this.erasure(subject)) return existing;
    const key = randomBytes(32);
    this.statements.insert.run(subject, this.wrap(key), now);
    this.cache.delete(subject);
    return this.find(subject); // another process may have won the insert: use what is stored
  }

  /** The subject's key if it exists and was not erased. */
  find(subject: string): Buffer | null {
    if (this.cache.has(subject)) return this.cache.get(subject)!;
    const wrapped = this.statements.key.get(subject) as Buffer | undefined;
    const key = wrapped ? this.unwrap(wrapped) : null;
    if (key) this.cache.set(subject, key);
    return key;
  }

  erasure(subject: string): Erasure | null {
    return (this.statements.erased.get(subject) as Erasure | undefined) ?? null;
  }

  /** Destroys the subject's key; false if it had already been erased. */
  erase(subject: string, erasedAt: string, actor: string, reason: string): boolean {
    const first = this.db.transaction(() => {
      this.statements.remove.run(subject);
      return this.statements.remember.run(subject, erasedAt, actor, reason).changes === 1;
    })();
    this.cache.delete(subject);
    return first;
  }

  close(): void {
    if (this.db.open) this.db.close();
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
