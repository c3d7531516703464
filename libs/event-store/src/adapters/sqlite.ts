import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkAppend } from '../append-rules';
import { openSchema, type LayoutUpgrade } from './sqlite-schema';
import { GENESIS_HASH, sealJson } from '../hash-chain';
import {
  StoreUnavailable,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
} from '../port';
import { CommitSignal, positionalSubscription } from '../subscription';

interface Row {
  position: number;
  stream_key: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

type Outcome = { ok: AppendResult } | { error: unknown };

interface Head {
  key: number;
  revision: number;
  hash: string;
}

/**
 * The (stream, event id) index refused a row: an id already in the stream, or twice in one append.
 * By code and message, not `instanceof`: the native addon keeps the error class of the first
 * copy of better-sqlite3 loaded in the process, from that copy's realm (test runners load several).
 */
const isEventIdClash = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('events.event_id');
};

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
  /** The stream's key, once the append has succeeded in its batch (remembered if the batch commits). */
  streamKey?: number;
}

/** Stream keys remembered at most (~100 bytes each). */
const STREAM_KEYS_REMEMBERED = 100_000;

/**
 * The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a resolved append
 * has been fsynced (a 2xx means durable). Appends that arrive together are written in one
 * transaction — group commit — so durability costs one fsync per batch, not per command. Each
 * append in the batch runs in its own savepoint: one conflicting append fails alone. The layout
 * (and why its indexes are keyed by stream creation order) is in sqlite-schema.ts.
 */
export class SqliteEventStore implements EventStore {
  /** An event id is unique within its stream (sqlite-schema.ts), as in EventStoreDB. */
  static readonly uniqueEventIdsAcrossStreams = false;
  private readonly db: Database.Database;
  private readonly commits = new CommitSignal();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly statements;
  /**
   * Streams' keys as committed (a stream's key never changes), so finding a stream's head needs no
   * lookup of its name (~4 of a 1,000-complaint sweep's ~45 ms on a 100,000-stream log). Learnt from
   * what reads return and from appends once their batch has committed, never from rows a batch has
   * not committed yet (a rolled-back stream's key is given to the next new stream). Bounded: when
   * full it is emptied, so the streams read most recently are the ones remembered.
   */
  private readonly streamKeys = new Map<string, number>();
  /** Set when opening the file upgraded an older layout in place (sqlite-schema.ts). */
  readonly layoutUpgrade: LayoutUpgrade | null;
  /** The batch's transaction and each append's savepoint, built once (better-sqlite3 makes wrappers per call). */
  private readonly commitBatch: Database.Transaction<(batch: readonly PendingAppend[]) => Outcome[]>;

  constructor(
    readonly path: string,
    private readonly clock: () => string = () => new Date().toISOString(),
    /** How often a live subscription looks for events another process (the API beside a worker) wrote. */
    private readonly pollIntervalMs = 250,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.layoutUpgrade = openSchema(this.db);
    this.statements = {
      newStream: this.db.prepare('INSERT INTO streams (name) VALUES (?)'),
      // the stream's key and its last event's revision and hash, in one statement
      head: this.db.prepare<[string], Head>(
        `SELECT s.key AS key, e.revision AS revision, json_extract(e.metadata, '$.hash') AS hash
         FROM streams s JOIN events e ON e.stream_key = s.key WHERE s.name = ? ORDER BY e.revision DESC LIMIT 1`,
      ),
      headByKey: this.db.prepare<[number], Omit<Head, 'key'>>(
        `SELECT revision, json_extract(metadata, '$.hash') AS hash FROM events WHERE stream_key = ? ORDER BY revision DESC LIMIT 1`,
      ),
      byId: this.db.prepare<[number, string], Pick<Row, 'position' | 'revision' | 'type'>>(
        'SELECT position, revision, type FROM events WHERE stream_key = ? AND event_id = ?',
      ),
      insert: this.db.prepare(
        'INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      stream: this.db.prepare<[string], Row>(
        'SELECT * FROM events WHERE stream_key = (SELECT key FROM streams WHERE name = ?) ORDER BY revision',
      ),
      all: this.db.prepare<[number, number], Row>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
    };
    // nested in the batch's transaction: a savepoint, rolled back alone on error
    const attempt = this.db.transaction((pending: PendingAppend, recordedAt: string, lookUpIds: boolean) =>
      this.appendOne(pending, recordedAt, lookUpIds),
    );
    const appendWithFallback = (pending: PendingAppend, recordedAt: string): AppendResult => {
      try {
        return attempt(pending, recordedAt, false);
      } catch (error) {
        if (!isEventIdClash(error)) throw error;
        return attempt(pending, recordedAt, true); // decided again, with every lookup
      }
    };
    this.commitBatch = this.db.transaction((batch: readonly PendingAppend[]) => {
      const recordedAt = this.clock(); // the batch commits as one: one instant for all of it
      return batch.map((pending): Outcome => {
        try {
          return { ok: appendWithFallback(pending, recordedAt) };
        } catch (error) {
          // SQLite gives up the whole transaction on some errors (disk full, I/O). The appends after
          // this one would then run outside it, each committed on its own, and be reported as
          // failed with the rest when the batch's COMMIT fails: the batch fails here, as one.
          if (!this.db.inTransaction) throw error;
          return { error };
        }
      });
    });
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * An append that expects exactly the stream's head cannot be a retry of events already in the
   * stream (a retry expects the head it saw before its first attempt), so its event ids are left
   * to the (stream, event id) index rather than looked up one by one. If the index objects, the
   * append is rolled back and decided again with `lookUpIds`: the shared rules then tell a retry
   * from a reused id exactly as they always do.
   */
  private readonly appendOne = (pending: PendingAppend, recordedAt: string, lookUpIds: boolean): AppendResult => {
    const { streamId, events, expected } = pending;
    const head = this.headOf(streamId);
    const headRevision = head ? head.revision : 'no_stream';
    const atHead = expected !== 'any' && expected === headRevision;
    const existing = (id: string) => (head ? this.statements.byId.get(head.key, id) : undefined);
    const decision = checkAppend(streamId, headRevision, expected, events, (id) => {
      if (atHead && !lookUpIds) return undefined;
      const row = existing(id);
      return row && { streamId, revision: row.revision, type: row.type };
    });
    if (decision.kind === 'already_written') {
      pending.streamKey = head!.key;
      return { revision: decision.revision, position: existing(events.at(-1)!.eventId)!.position, written: false };
    }
    const key = head ? head.key : Number(this.statements.newStream.run(streamId).lastInsertRowid);
    let prevHash = head ? head.hash : GENESIS_HASH;
    let revision = head ? head.revision : -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const sealed = sealJson(streamId, revision, event, prevHash, recordedAt);
      const info = this.statements.insert.run(key, streamId, revision, event.eventId, event.type, sealed.data, sealed.metadata);
      position = Number(info.lastInsertRowid);
      prevHash = sealed.hash;
    }
    pending.streamKey = key;
    return { revision, position, written: true };
  };

  private headOf(streamId: string): Head | undefined {
    const key = this.streamKeys.get(streamId);
    if (key === undefined) return this.statements.head.get(streamId);
    const head = this.statements.headByKey.get(key);
    return head && { key, revision: head.revision, hash: head.hash };
  }

  private rememberStreamKey(streamId: string, key: number): void {
    if (this.streamKeys.has(streamId)) return;
    if (this.streamKeys.size >= STREAM_KEYS_REMEMBERED) this.streamKeys.clear();
    this.streamKeys.set(streamId, key);
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.flushScheduled = false;
    let outcomes: Outcome[];
    try {
      // BEGIN IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the batch reads
      // any head. A deferred transaction reads first and upgrades at its first write, which SQLite
      // refuses at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT when another process (the worker
      // beside the API) wrote meanwhile: ~5 % of appends failed with two processes writing.
      outcomes = this.commitBatch.immediate(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch was written.
      const unavailable = new StoreUnavailable(`the event store could not commit: ${(error as Error).message}`, error);
      for (const pending of batch) pending.reject(unavailable);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if ('ok' in outcome) {
        if (pending.streamKey !== undefined) this.rememberStreamKey(pending.streamId, pending.streamKey);
        pending.resolve(outcome.ok);
      } else pending.reject(outcome.error);
    });
    this.commits.fire();
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.recorded(this.statements.stream.all(streamId));
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    return this.recorded(this.statements.all.all(afterPosition, limit));
  }

  /** Rows read outside any batch: committed, so their streams' keys are remembered (once per run of a stream's rows). */
  private recorded(rows: Row[]): RecordedEvent[] {
    let previous: string | undefined;
    return rows.map((row) => {
      if (row.stream_id !== previous) this.rememberStreamKey((previous = row.stream_id), row.stream_key);
      return toRecorded(row);
    });
  }

  subscribe(afterPosition: number, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    return positionalSubscription(
      afterPosition,
      (after, limit) => this.readAll(after, limit),
      // this process's commits wake subscribers at once; another process's are seen within the interval
      () => this.commits.next(this.pollIntervalMs),
      handler,
    );
  }

  async ready(): Promise<boolean> {
    try {
      return this.db.open && this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.commits.fire();
    if (this.db.open) this.db.close();
  }
}

function toRecorded(row: Row): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as object,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
  };
}
