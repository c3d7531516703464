import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { boundPageCache } from '../page-cache';
import { openSchema, type LayoutUpgrade } from './sqlite-schema';
import { openLogConnection, SqliteAppender, StreamKeys, type AppendRequest, type Outcome } from './sqlite-appender';
import { WriterThread } from './sqlite-writer-thread';
import { DependencyNotSynced, syncDependency, type CommitDependency } from './sqlite-commit-dependency';
import {
  OutcomeUnknown,
  StoreUnavailable,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  MisfiledEvent,
  UnreadableEvent,
} from '../port';
import { CommitSignal, positionalSubscription } from '../subscription';
import { sealerOf, type EventKey } from '../event-mac';

/** An event's row in the log's `events` table. */
export interface EventRow {
  position: number;
  stream_key: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  /** The name the log's index of streams files the row under (its `stream_key`'s row), read beside it: null when that row is gone. */
  filed_under?: string | null;
}

/**
 * Events read with the name their `stream_key` is filed under, so a reader can tell that the index
 * still agrees with each event's own stream (toRecorded): an altered index is found by every read,
 * not served.
 */
const FILED = 'SELECT e.*, s.name AS filed_under FROM events e LEFT JOIN streams s ON s.key = e.stream_key';
const ALL = `${FILED} WHERE e.position > ? ORDER BY e.position LIMIT ?`;
const STREAM = `${FILED} WHERE e.stream_key = (SELECT key FROM streams WHERE name = ?) ORDER BY e.revision`;
const LAST = `${FILED} WHERE e.stream_key = (SELECT key FROM streams WHERE name = ?) ORDER BY e.revision DESC LIMIT 1`;

export interface SqliteStoreOptions {
  /** How often a live subscription looks for events another process (the API beside a worker) wrote. */
  readonly pollIntervalMs?: number;
  /**
   * Commit on a writer thread with its own connection (sqlite-writer.ts), so the inserts and the
   * fsync do not hold up the thread serving requests. Not for ':memory:' (one connection only).
   */
  readonly writerThread?: boolean;
  /**
   * This connection only reads (a read side on a thread of its own): no write path is prepared and
   * no stream keys are learnt from what it reads; an append is refused.
   */
  readonly readOnly?: boolean;
  /** The key this store authenticates the events it writes under (decision 0023); none: written unauthenticated. */
  readonly eventKey?: EventKey | null;
}

interface PendingAppend extends AppendRequest {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

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
  private readonly commitListeners = new Set<() => void>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly statements;
  /** Streams' keys, learnt from reads and committed appends, for the appender on this connection (see StreamKeys). */
  private readonly streamKeys: StreamKeys | null;
  /** Commits a batch, fsyncing a dependency's file first when given its fd: on this connection, or on the writer thread. */
  private readonly commitBatch: (batch: readonly AppendRequest[], syncFirst: number | null) => Promise<Outcome[]>;
  private dependency: { readonly on: CommitDependency; readonly fd: number } | null = null;
  private readonly writer: WriterThread | null;
  /** The batch being committed, if any: the next one gathers meanwhile (group commit). */
  private writing: Promise<void> | null = null;
  private readonly pollIntervalMs: number;
  private lastDataVersion: number | null = null;
  private readonly readOnly: boolean;
  /** Set when opening the file upgraded an older layout in place (sqlite-schema.ts). */
  readonly layoutUpgrade: LayoutUpgrade | null;

  constructor(
    readonly path: string,
    private readonly clock: () => string = () => new Date().toISOString(),
    options: SqliteStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.readOnly = options.readOnly ?? false;
    this.db = openLogConnection(path);
    this.layoutUpgrade = openSchema(this.db);
    this.statements = {
      stream: this.db.prepare<[string], EventRow>(STREAM),
      last: this.db.prepare<[string], EventRow>(LAST),
      all: this.db.prepare<[number, number], EventRow>(ALL),
    };
    this.writer = null;
    this.streamKeys = null; // learnt only where this connection looks heads up
    if (options.readOnly) {
      this.commitBatch = async () => {
        throw new Error('this connection to the log only reads');
      };
    } else if (options.writerThread && path !== ':memory:') {
      const writer = (this.writer = new WriterThread(path, options.eventKey?.secret ?? null));
      this.commitBatch = (batch, syncFirst) => writer.commit(batch, this.clock(), syncFirst);
    } else {
      const sealer = options.eventKey ? sealerOf(options.eventKey) : null;
      const appender = new SqliteAppender(this.db, (this.streamKeys = new StreamKeys()), sealer);
      // async, so that a batch failing as a whole rejects, as the writer thread's does
      this.commitBatch = async (batch, syncFirst) => {
        if (syncFirst !== null) syncDependency(syncFirst);
        return appender.commit(batch, this.clock);
      };
    }
  }

  /** From now on every batch commits only once the dependency's pending writes are on disk (see CommitDependency). */
  dependOn(dependency: CommitDependency): void {
    if (this.dependency) throw new Error('the log already has a commit dependency');
    this.dependency = { on: dependency, fd: openSync(dependency.path, 'r') };
  }

  /** The head is read inside the append's own transaction: an `expectedHead` is not needed. */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    // the batch with the writer may be done: settling it now frees its clients sooner (WriterThread.collectReplies)
    this.writer?.collectReplies();
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** On the next turn of the event loop, so that the appends arriving meanwhile share the batch. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** One batch at a time: what arrives while a batch commits is the next batch. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.writing || !this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.commitAfterDependency(batch)
      .then(
        (outcomes) => this.settle(batch, outcomes),
        (error: unknown) => this.failed(batch, error),
      )
      .finally(() => {
        this.writing = null;
        if (this.queue.length) this.scheduleFlush();
      });
  }

  /** Commits the batch once the commit dependency, if any, has written what it has pending and, if need be, been fsynced. */
  private async commitAfterDependency(batch: readonly AppendRequest[]): Promise<Outcome[]> {
    const dependency = this.dependency;
    if (!dependency) return this.commitBatch(batch, null);
    const mark = dependency.on.prepare(); // throwing fails the batch, nothing of it written
    try {
      const outcomes = await this.commitBatch(batch, mark === null ? null : dependency.fd);
      if (mark !== null) dependency.on.synced(mark);
      return outcomes;
    } catch (error) {
      if (error instanceof DependencyNotSynced) dependency.on.syncFailed(error);
      throw error;
    }
  }

  private settle(batch: readonly PendingAppend[], outcomes: readonly Outcome[]): void {
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if ('ok' in outcome) pending.resolve(outcome.ok);
      else pending.reject(outcome.error);
    });
    this.commits.fire();
    for (const listener of this.commitListeners) listener();
  }

  /** Calls `listener` after each batch this store commits (a read side on another thread is told so). */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Whether a connection other than this store's writer has committed to the log since the last
   * time this was asked (false the first time): SQLite's `PRAGMA data_version` on the writer's own
   * connection, which this store's own commits never move. Another ledger process on the same file
   * (a worker beside the API) is one; someone editing the file with the sqlite3 tool is another. The
   * integrity watch verifies the log again when it moves (docs/decisions/0023-authenticated-events.md).
   */
  async outsideWrites(): Promise<boolean> {
    if (this.readOnly) return false;
    const version = this.writer ? await this.writer.dataVersion() : (this.db.pragma('data_version', { simple: true }) as number);
    if (version === null) return false;
    const moved = this.lastDataVersion !== null && version !== this.lastDataVersion;
    this.lastDataVersion = version;
    return moved;
  }

  /** Another connection (a thread, a process) has committed: live subscriptions read now, not at their next poll. */
  committedElsewhere(): void {
    this.commits.fire();
  }

  /**
   * The commit itself failed. Disk full, a lock not had in time, a commit dependency not synced:
   * SQLite rolled the batch back, nothing of it was written. An I/O error (a failed write or fsync
   * of the WAL) may come after the commit's frames reached the file: a crash recovery could find
   * them whole, so the outcome is unknown, and said so.
   */
  private failed(batch: readonly PendingAppend[], error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const unavailable =
      error instanceof StoreUnavailable
        ? error
        : typeof code === 'string' && code.startsWith('SQLITE_IOERR')
          ? new OutcomeUnknown(`the event store could not confirm the commit: ${(error as Error).message}`, error)
          : new StoreUnavailable(`the event store could not commit: ${(error as Error).message}`, error);
    for (const pending of batch) pending.reject(unavailable);
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.recorded(this.statements.stream.all(streamId));
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    return this.recorded(this.statements.last.all(streamId))[0];
  }

  async readAt(position: number): Promise<RecordedEvent | undefined> {
    const [next] = await this.readAll(position - 1, 1); // positions here are whole numbers: the first after the one before
    return next?.position === position ? next : undefined;
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    return this.recorded(this.statements.all.all(afterPosition, limit));
  }

  /** Rows read outside any batch: committed, so their streams' keys are remembered (once per run of a stream's rows). */
  private recorded(rows: EventRow[]): RecordedEvent[] {
    const keys = this.streamKeys;
    if (!keys) return rows.map(toRecorded);
    let previous: string | undefined;
    return rows.map((row) => {
      const event = toRecorded(row); // a misfiled row throws before its key is remembered
      if (row.stream_id !== previous) keys.remember((previous = row.stream_id), row.stream_key);
      return event;
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
    while (this.writing) await this.writing; // appends already made are committed and answered first
    await this.writer?.close();
    if (this.dependency) closeSync(this.dependency.fd);
    this.dependency = null;
    this.commits.fire();
    if (this.db.open) this.db.close();
  }
}

/**
 * An event as the port gives it, from its row; a damaged row is an UnreadableEvent naming it, and
 * one the index of streams files under another stream a MisfiledEvent.
 */
export function toRecorded(row: EventRow): RecordedEvent {
  if (row.filed_under !== undefined && row.filed_under !== row.stream_id)
    throw new MisfiledEvent(row.stream_id, row.revision, row.position, row.filed_under);
  let data: object;
  let metadata: RecordedEvent['metadata'];
  try {
    data = JSON.parse(row.data) as object;
    metadata = JSON.parse(row.metadata) as RecordedEvent['metadata'];
  } catch {
    throw new UnreadableEvent(row.stream_id, row.revision, row.position); // named, so no reader has to guess
  }
  return { streamId: row.stream_id, revision: row.revision, position: row.position, eventId: row.event_id, type: row.type, data, metadata };
}

/**
 * The log of a stopped or running service, opened read-only (`npm run verify`): nothing is
 * created, upgraded or written, not even the WAL mode.
 */
export function openLogReadOnly(path: string): {
  readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]>;
  readStream(streamId: string): Promise<RecordedEvent[]>;
  close(): void;
} {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  boundPageCache(db);
  const page = db.prepare<[number, number], EventRow>(ALL);
  const stream = db.prepare<[string], EventRow>(STREAM);
  return {
    readAll: async (after, limit) => page.all(after, limit).map(toRecorded),
    readStream: async (streamId) => stream.all(streamId).map(toRecorded),
    close: () => db.close(),
  };
}
