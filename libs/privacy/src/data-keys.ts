import Database from 'better-sqlite3';
import {
  boundPageCache,
  preparePrivateFile,
  StoreUnavailable,
  syncFile as syncPath,
  type CommitDependency,
} from '@complaint-ledger/event-store';
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomCopy, randomView } from './random-pool';
import {
  erasedKeyMac,
  erasureMac,
  isUnboundForm,
  KeyStoreAltered,
  MasterKeyMismatch,
  masterKeyId,
  unwrapKey,
  wrapKey,
} from './key-binding';
import { erasedKeyBack, erasureAuthentic, erasureOf, KeyFileAudit, recordedMasterKey, type ErasureRow } from './key-file-audit';
import type { Erasure, KeyStore } from './key-store';

/**
 * Keys remembered unwrapped, at most (one per resident recently written or read): enough for a
 * busy period's residents within the memory budget; a key not remembered costs one SELECT and
 * one unwrap.
 */
const REMEMBERED_KEYS = 10_000;

/** Remembers `value` under `key`, emptying the map first when it is full (what is used next is remembered again). */
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= REMEMBERED_KEYS) map.clear();
  map.set(key, value);
  return value;
}

/** fsyncs a file off the calling thread and calls back (fs.fsync's shape). */
export type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * Residents' data keys, kept apart from the events in their own SQLite file and wrapped
 * (AES-256-GCM) by the master key from configuration: the file alone decrypts nothing. Each key
 * has a random id (what encrypted values name) and belongs to one resident (the subject).
 * Erasing a subject overwrites and deletes all its keys (secure_delete), so what was encrypted
 * under them can never be read again — crypto-shredding: the events stay immutable and their hash
 * chain intact. Personal data given after an erasure gets a new key. Erasures themselves are
 * remembered (who, when, why); keys are not.
 *
 * A new key must be on disk before any data encrypted under it is. Committing each new key with
 * its own fsync on the request thread (synchronous = FULL) blocked the event loop ~1 ms per new
 * resident: with a new resident per complaint the service took a third of the commands it took
 * for one resident (docs/performance.md). So new keys are written in groups and made durable off
 * the request thread: each group is committed in one transaction without waiting for the disk
 * (synchronous = NORMAL: in WAL mode the commit is written to the WAL file, not synced), then the
 * WAL file is fsynced on libuv's thread pool. `durable()` says when; the command waits for it
 * before appending its events. A group is whatever keys were created while the previous fsync ran.
 * With the SQLite log the keys ride with the log instead (commitDependency): each of its batches
 * has the group written first and its writer thread fsyncs this file just before committing.
 * Erasures are synced before they are reported, as before.
 */
export class DataKeyStore implements KeyStore {
  private readonly db: Database.Database;
  /** Unwrapped keys by id, and each subject's current key: trusted only while no other connection has written. */
  private readonly byId = new Map<string, Buffer>();
  private readonly currentKeys = new Map<string, { id: string; key: Buffer }>();
  private seenVersion = -1;
  private readonly statements;
  /** The WAL file, fsynced to make committed keys durable (null for an in-memory store, whose keys are written at once). */
  private readonly wal: number | null;
  private readonly walPath: string | null;
  /** New keys not yet written: the next group. */
  private readonly unwritten: { row: [id: string, subject: string, wrapped: Buffer, createdAt: string]; erasureSeen: string | null }[] = [];
  /** Keys (or other connections' changes) that need an fsync, counted; and how many a finished fsync covers. */
  private keysToSync = 0;
  private keysSynced = 0;
  private syncing = false;
  private readonly awaitingSync: { upTo: number; settle: (error?: Error) => void }[] = [];
  /** Set when an fsync failed: the kernel may have dropped the pages, so no key is trusted to be on disk again. */
  private syncFailure: StoreUnavailable | null = null;
  /** Set once the SQLite log syncs new keys before its commits (commitDependency): durable() then has nothing to wait for. */
  private syncedByLog = false;
  /** Keys and erasures this open bound to their rows: a file written before keys were (decision 0023), migrated once. */
  readonly migrated: { readonly keys: number; readonly erasures: number };
  /** The key file as verification reads it: which keys are there, which were erased. */
  readonly audit: KeyFileAudit;
  /** Told when the key file is found altered (a row that does not open, a key missing without an erasure). */
  private readonly alteredListeners = new Set<(error: KeyStoreAltered) => void>();
  private altered: KeyStoreAltered | null = null;

  constructor(
    path: string,
    private readonly masterKey: Buffer,
    /** How the WAL file is fsynced off the request thread: `fs.fsync`, or a failing one in fault tests. */
    private readonly syncFile: SyncFile = fsync,
  ) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    preparePrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // new keys are synced by durable(), erasures by erase()
    boundPageCache(this.db);
    this.db.pragma('secure_delete = ON'); // erased keys are overwritten, not just unlinked from the tree
    // another program writing the file (a second replica, a backup job's checkpoint) is waited for, as the log's writers wait
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS data_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
      -- in the current key's order, so finding it (a miss for every new resident) needs no sort
      CREATE INDEX IF NOT EXISTS data_keys_subject_created ON data_keys (subject, created_at);
      DROP INDEX IF EXISTS data_keys_subject;
      CREATE TABLE IF NOT EXISTS erasures (subject TEXT NOT NULL, erased_at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
        legacy INTEGER NOT NULL DEFAULT 0, mac TEXT, PRIMARY KEY (subject, erased_at));
      -- each key an erasure destroyed (or a key never written, its resident erased first): its absence accounted for
      CREATE TABLE IF NOT EXISTS erased_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, erased_at TEXT NOT NULL, mac TEXT NOT NULL);
      -- the id of the master key the rows are wrapped under (decision 0030): one row
      CREATE TABLE IF NOT EXISTS master_key (id TEXT NOT NULL);`);
    try {
      refuseAnotherMasterKey(this.db, masterKey, path);
      this.migrated = bindKeysToTheirRows(this.db, masterKey);
      recordMasterKey(this.db, masterKey);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.audit = new KeyFileAudit(this.db, masterKey);
    // the statements above opened the WAL file; it stays (the same file) while this connection is open
    this.walPath = path === ':memory:' ? null : `${path}-wal`;
    this.wal = this.walPath === null ? null : openSync(this.walPath, 'r');
    if (this.wal !== null) syncPath(dirname(path)); // the WAL file's own name is on disk too
    this.statements = {
      current: this.db.prepare<[string], { key_id: string; wrapped: Buffer }>(
        'SELECT key_id, wrapped FROM data_keys WHERE subject = ? ORDER BY created_at, rowid LIMIT 1',
      ),
      byId: this.db.prepare<[string], { subject: string; wrapped: Buffer }>('SELECT subject, wrapped FROM data_keys WHERE key_id = ?'),
      insert: this.db.prepare('INSERT INTO data_keys (key_id, subject, wrapped, created_at) VALUES (?, ?, ?, ?)'),
      keysOf: this.db.prepare<[string], { key_id: string; wrapped: Buffer }>('SELECT key_id, wrapped FROM data_keys WHERE subject = ?'),
      erased: this.db.prepare<[string], ErasureRow>(
        'SELECT subject, erased_at, actor, reason, legacy, mac FROM erasures WHERE subject = ? ORDER BY erased_at DESC',
      ),
      listErased: this.db.prepare('INSERT OR IGNORE INTO erased_keys (key_id, subject, erased_at, mac) VALUES (?, ?, ?, ?)'),
      remove: this.db.prepare('DELETE FROM data_keys WHERE subject = ?'),
      remember: this.db.prepare(
        'INSERT OR IGNORE INTO erasures (subject, erased_at, actor, reason, legacy, mac) VALUES (?, ?, ?, ?, 0, ?)',
      ),
      // changes whenever another connection commits to the file (not on this connection's own commits)
      dataVersion: this.db.prepare('PRAGMA data_version').pluck(),
    };
  }

  /** The subject's current key (created on first use, or afresh after an erasure), with its id. */
  keyFor(subject: string, now: string): { id: string; key: Buffer } {
    if (this.syncFailure) throw this.syncFailure;
    this.forgetIfChangedElsewhere();
    const remembered = this.currentKeys.get(subject);
    if (remembered) return remembered;
    const existing = this.statements.current.get(subject);
    if (existing) {
      return remember(this.currentKeys, subject, { id: existing.key_id, key: this.cached(existing.key_id, subject, existing.wrapped) });
    }
    // a new key, used at once and written with the next group (an existing key of another process's stays readable too)
    const id = randomView(16).toString('base64url');
    const key = randomCopy(32);
    // the subject's latest erasure as this key was made: another one by the time it is written means it must not be
    this.unwritten.push({
      row: [id, subject, wrapKey(this.masterKey, key, subject, id), now],
      erasureSeen: this.erasure(subject)?.erasedAt ?? null,
    });
    this.keysToSync++;
    if (this.wal === null) this.writeUnwritten();
    remember(this.byId, id, key);
    return remember(this.currentKeys, subject, { id, key });
  }

  /** Nothing to fetch: the file is read when a key is asked for. */
  load(): null {
    return null;
  }

  loadSubject(): null {
    return null;
  }

  /**
   * Null when every key this store has created is on disk, or when the SQLite log sees to that
   * before it commits (commitDependency); otherwise a promise that settles once they are (rejected
   * with StoreUnavailable when the disk refused).
   */
  durable(): Promise<void> | null {
    if (this.syncFailure) return Promise.reject(this.syncFailure);
    if (this.keysSynced === this.keysToSync || this.wal === null || this.syncedByLog) return null;
    const upTo = this.keysToSync;
    return new Promise<void>((resolve, reject) => {
      this.awaitingSync.push({ upTo, settle: (error) => (error ? reject(error) : resolve()) });
      this.syncGroup();
    });
  }

  /**
   * Hands the syncing of new keys to the SQLite log (SqliteEventStore.dependOn), for a store whose
   * events are all appended there: before each of its batches the log has the group of new keys
   * written, and its writer thread fsyncs this file's WAL just before committing the batch. A new
   * key then costs the request thread neither the fsync's round trip nor a wait of its own between
   * the key and the append (docs/performance.md). Null for an in-memory store (keys written at once).
   */
  commitDependency(): CommitDependency | null {
    if (this.walPath === null) return null;
    this.syncedByLog = true;
    return {
      path: this.walPath,
      prepare: () => {
        if (this.syncFailure) throw this.syncFailure;
        this.writeGroup();
        return this.keysSynced === this.keysToSync ? null : this.keysToSync;
      },
      synced: (upTo) => {
        this.keysSynced = Math.max(this.keysSynced, upTo);
      },
      syncFailed: (error) => {
        this.syncFailure ??= error;
      },
    };
  }

  /** Why this store refuses to make keys until the process restarts (a failed fsync), or null. */
  failure(): StoreUnavailable | null {
    return this.syncFailure;
  }

  /**
   * The key with this id, or null when it is not in the file: erased (see `accountsFor`), or not
   * written yet. Throws KeyStoreAltered when its row does not open as its resident's key (decision
   * 0023): a row swapped, moved or rewritten is tampering, never an erasure.
   */
  find(id: string): Buffer | null {
    this.forgetIfChangedElsewhere();
    const known = this.byId.get(id);
    if (known) return known;
    const row = this.statements.byId.get(id);
    return row ? this.cached(id, row.subject, row.wrapped) : null;
  }

  /**
   * Whether a key missing from the file is accounted for by an erasure the ledger recorded (it
   * listed the key). With erasures recorded before keys were listed, only verification, which knows
   * the key's resident, can tell: such a key is taken as erased here.
   */
  accountsFor(id: string): boolean {
    return this.audit.listedAsErased(id) || this.audit.hasLegacyErasures;
  }

  /** The subject's latest erasure the ledger recorded, if any (a record it did not write is not one). */
  erasure(subject: string): Erasure | null {
    for (const row of this.statements.erased.all(subject)) {
      if (!erasureAuthentic(this.masterKey, row)) continue;
      return { subject: row.subject, erasedAt: row.erased_at, actor: row.actor, reason: row.reason };
    }
    return null;
  }

  /** Whether the file knows the subject at all: a key of theirs (written or about to be), or an erasure the ledger recorded. */
  knows(subject: string): boolean {
    if (this.unwritten.some(({ row }) => row[1] === subject)) return true;
    return this.statements.keysOf.get(subject) !== undefined || this.erasure(subject) !== null;
  }

  /** Set once the key file was found altered; until a restart readiness says so. */
  get alteration(): KeyStoreAltered | null {
    return this.altered;
  }

  /** Tells `listener` whenever the key file is found altered. */
  onAltered(listener: (error: KeyStoreAltered) => void): () => void {
    this.alteredListeners.add(listener);
    return () => this.alteredListeners.delete(listener);
  }

  private alteredFound(detail: string): KeyStoreAltered {
    const error = new KeyStoreAltered(detail);
    this.altered ??= error;
    for (const listener of this.alteredListeners) listener(error);
    return error;
  }

  /**
   * Destroys every key of the subject; false when there was none left to destroy (already erased).
   * When it returns, the keys are in no file this store writes: the deletion overwrote them in the
   * database (secure_delete), and the WAL, whose older frames still held them, is checkpointed and
   * truncated. If another connection's reader keeps the WAL from being truncated past the busy
   * timeout, it throws StoreUnavailable: the keys are already gone from the database, and a
   * repeated erasure truncates the WAL again.
   */
  erase(subject: string, erasedAt: string, actor: string, reason: string): boolean {
    // IMMEDIATE: the write lock first, so another writer is waited for (busy_timeout) rather than refused at the first write
    const erased = this.db
      .transaction(() => {
        this.writeUnwritten(); // a key made a moment ago is the resident's too
        const rows = this.statements.keysOf.all(subject);
        // every key destroyed must be this resident's own: a row filed under them that is another's (a swapped subject, a swapped
        // wrapped key) is tampering, refused before anything is destroyed, never an erasure of whoever's key it holds
        const foreign = rows.find((row) => !unwrapKey(this.masterKey, row.wrapped, subject, row.key_id));
        if (foreign) throw this.alteredFound(`key ${foreign.key_id} filed under ${JSON.stringify(subject)} does not open as theirs`);
        const ids = rows.map((row) => row.key_id);
        for (const id of ids) this.byId.delete(id);
        this.currentKeys.delete(subject);
        this.statements.remove.run(subject);
        if (!ids.length && this.erasure(subject)) return false;
        const record = { subject, erasedAt, actor, reason, legacy: false };
        this.statements.remember.run(subject, erasedAt, actor, reason, erasureMac(this.masterKey, record));
        for (const id of ids) this.listErased(id, subject, erasedAt);
        return true;
      })
      .immediate();
    if (erased && this.wal !== null) fsyncSync(this.wal); // the keys are gone for good before anyone is told so
    this.scrubLog();
    return erased;
  }

  /** Copies the WAL into the database and truncates it to nothing, so no old frame keeps an erased key. */
  private scrubLog(): void {
    if (this.wal === null) return;
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (result?.busy) {
      throw new StoreUnavailable(
        "the erased key is deleted, but the key file's log could not be truncated (another connection is reading it); repeat the erasure",
      );
    }
  }

  close(): void {
    if (!this.db.open) return;
    this.writeUnwritten();
    if (this.wal !== null) closeSync(this.wal);
    this.db.close();
  }

  /**
   * Writes the keys made since the last group. A key whose resident another process erased after
   * it was made is dropped, not written: the erasure came later, so written back (by a group, or
   * at shutdown) it would make readable again what was given before the erasure. What this process
   * encrypted under it reads as erased, as the erasure asks.
   */
  private writeUnwritten(): void {
    if (!this.unwritten.length) return;
    this.db
      .transaction(() => {
        for (const { row, erasureSeen } of this.unwritten) {
          const [id, subject] = row;
          const erasedAt = this.erasure(subject)?.erasedAt ?? null;
          if (erasedAt !== erasureSeen) {
            // never written, its resident erased first: listed as erased, so the data sealed under it reads as erased, not as tampering
            this.forget(id, subject);
            this.listErased(id, subject, erasedAt!);
          } else this.statements.insert.run(...row);
        }
      })
      .immediate(); // the write lock first: another writer of the file is waited for, never a refusal

    this.unwritten.length = 0;
  }

  private listErased(keyId: string, subject: string, erasedAt: string): void {
    this.statements.listErased.run(keyId, subject, erasedAt, erasedKeyMac(this.masterKey, { keyId, subject, erasedAt }));
  }

  private forget(id: string, subject: string): void {
    this.byId.delete(id);
    if (this.currentKeys.get(subject)?.id === id) this.currentKeys.delete(subject);
  }

  /** Writes the keys not yet written, in one transaction; if that fails they are dropped and StoreUnavailable is thrown. */
  private writeGroup(): void {
    try {
      this.writeUnwritten();
    } catch (error) {
      // e.g. the disk is full: the group's keys are never used, its commands get a 503 and record nothing
      for (const { row } of this.unwritten.splice(0)) this.forget(row[0], row[1]);
      throw new StoreUnavailable(`the data-key file could not be written: ${(error as Error).message}`, error);
    }
  }

  /** Writes the group of new keys and fsyncs the WAL file; one group at a time, the next as soon as this one is done. */
  private syncGroup(): void {
    if (this.syncing || this.wal === null) return;
    const upTo = this.keysToSync;
    try {
      this.writeGroup();
    } catch (failure) {
      this.keysSynced = upTo;
      for (const waiter of this.awaitingSync.splice(0)) waiter.settle(failure as StoreUnavailable);
      return;
    }
    this.syncing = true;
    this.syncFile(this.wal, (error) => {
      this.syncing = false;
      if (error) {
        this.syncFailure ??= new StoreUnavailable(`the data-key file could not be synced to disk: ${error.message}`, error, true);
      } else {
        this.keysSynced = Math.max(this.keysSynced, upTo);
      }
      for (const waiter of this.awaitingSync.splice(0)) {
        if (this.syncFailure) waiter.settle(this.syncFailure);
        else if (waiter.upTo <= this.keysSynced) waiter.settle();
        else this.awaitingSync.push(waiter); // its key came after this group: the next one covers it
      }
      if (this.awaitingSync.length) this.syncGroup();
    });
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
    // its keys may not be on disk yet either (it syncs them before its own appends, not ours): the next durable() covers them
    this.keysToSync++;
    this.byId.clear();
    this.currentKeys.clear();
  }

  /** The unwrapped key, unwrapped once per process (until another process changes the file); a row that does not open as its resident's is tampering. */
  private cached(id: string, subject: string, wrapped: Buffer): Buffer {
    const known = this.byId.get(id);
    if (known) return known;
    const key = unwrapKey(this.masterKey, wrapped, subject, id);
    if (!key) throw this.alteredFound(`key ${id} does not open as ${JSON.stringify(subject)}'s: its row was swapped, moved or rewritten`);
    // a row put back from an earlier copy of the file: the erasure the ledger recorded destroyed this key, and it stays destroyed
    if (this.audit.listedAsErased(id)) throw this.alteredFound(erasedKeyBack(id, subject));
    return remember(this.byId, id, key);
  }
}

/** Throws MasterKeyMismatch when the file records another master key than `masterKey` (decision 0030). */
function refuseAnotherMasterKey(db: Database.Database, masterKey: Buffer, path: string): void {
  const recorded = recordedMasterKey(db);
  if (recorded !== undefined && recorded !== masterKeyId(masterKey)) throw new MasterKeyMismatch(path, recorded, masterKeyId(masterKey));
}

/**
 * Records the master key's id in a file that records none yet (new, or written before ids were
 * kept), when its rows show it is the key they are wrapped under: a key that opens, else an
 * erasure it authenticates, else nothing to contradict it. A file whose rows do not open is left
 * unrecorded: tampering, or another key, is then reported as it was before.
 */
function recordMasterKey(db: Database.Database, masterKey: Buffer): void {
  db.transaction(() => {
    if (db.prepare('SELECT EXISTS (SELECT 1 FROM master_key)').pluck().get()) return;
    const key = db.prepare('SELECT key_id, subject, wrapped FROM data_keys LIMIT 1').get() as
      { key_id: string; subject: string; wrapped: Buffer } | undefined;
    const erasure = db.prepare('SELECT subject, erased_at, actor, reason, legacy, mac FROM erasures LIMIT 1').get() as
      ErasureRow | undefined;
    const wrappedUnder = key
      ? unwrapKey(masterKey, key.wrapped, key.subject, key.key_id) !== null
      : !erasure || erasureAuthentic(masterKey, erasure);
    if (wrappedUnder) db.prepare('INSERT INTO master_key (id) VALUES (?)').run(masterKeyId(masterKey));
  }).immediate();
}

/**
 * Binds every key to its row and makes every erasure record the ledger's (decision 0023), once: a
 * file written before keys were bound holds only form-1 wraps and erasures without a MAC. A file
 * that holds any bound key or authenticated erasure was migrated already, so a form-1 row or an
 * unauthenticated erasure found in it later is tampering, not something to migrate. The erasures it
 * finds are marked as recorded before destroyed keys were listed (`legacy`). Returns what it migrated.
 */
function bindKeysToTheirRows(db: Database.Database, masterKey: Buffer): { keys: number; erasures: number } {
  const columns = db.prepare("SELECT name FROM pragma_table_info('erasures')").pluck().all() as string[];
  return db
    .transaction(() => {
      if (!columns.includes('legacy')) db.exec('ALTER TABLE erasures ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0');
      if (!columns.includes('mac')) db.exec('ALTER TABLE erasures ADD COLUMN mac TEXT');
      const done = db
        .prepare(
          // the master key's id is recorded only after this migration: a file that names one was migrated, whatever its rows now
          `SELECT EXISTS (SELECT 1 FROM data_keys WHERE length(wrapped) = 61) OR EXISTS (SELECT 1 FROM erasures WHERE mac IS NOT NULL)
             OR EXISTS (SELECT 1 FROM erased_keys) OR EXISTS (SELECT 1 FROM master_key)`,
        )
        .pluck()
        .get();
      if (done) return { keys: 0, erasures: 0 };
      const rows = db.prepare('SELECT key_id, subject, wrapped FROM data_keys').all() as {
        key_id: string;
        subject: string;
        wrapped: Buffer;
      }[];
      const rewrap = db.prepare('UPDATE data_keys SET wrapped = ? WHERE key_id = ?');
      let keys = 0;
      for (const row of rows) {
        const key = isUnboundForm(row.wrapped) ? unwrapKey(masterKey, row.wrapped, row.subject, row.key_id, true) : null;
        if (!key) continue; // not openable with this master key: left as it is, and reported when used
        rewrap.run(wrapKey(masterKey, key, row.subject, row.key_id), row.key_id);
        keys += 1;
      }
      const erasures = db.prepare('SELECT subject, erased_at, actor, reason, legacy, mac FROM erasures').all() as ErasureRow[];
      const sign = db.prepare('UPDATE erasures SET legacy = 1, mac = ? WHERE subject = ? AND erased_at = ?');
      for (const row of erasures) sign.run(erasureMac(masterKey, { ...erasureOf(row), legacy: true }), row.subject, row.erased_at);
      return { keys, erasures: erasures.length };
    })
    .immediate();
}
