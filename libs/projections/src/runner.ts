import { performance } from 'node:perf_hooks';
import type { EventStore, RecordedEvent, Subscription } from '@complaint-ledger/event-store';
import { OPEN, type AnyProjection, type Column, type ColumnValue } from './projection';
import { documentWriter, dumpReadModels, prepareTable, tableOf, type ReadModelDatabase } from './read-model-database';

export interface RunnerOptions {
  /** Events applied per transaction while catching up. */
  readonly batchSize?: number;
  /** Parsed documents kept between batches, so a rebuild does not re-read what it just wrote. */
  readonly cachedDocuments?: number;
  /** How soon to try again when the store could not be read at start-up. */
  readonly retryMs?: number;
  /**
   * Live events are applied at most once per this many ms (0: each as it comes). An event that
   * arrives when the read side has been idle that long is applied at once; under load, events
   * gather until the interval has passed and go in one transaction, since SQLite's
   * per-transaction work, paid for every group commit, would otherwise be a large share of each
   * command's cost (docs/performance.md). Under load read
   * models then trail the log by up to that much more: they are eventually consistent anyway and
   * say how far they have got (`asOfPosition`).
   */
  readonly liveBatchMs?: number;
  /** Told after each batch applied, and whenever `lastFailure` changes (a thread reports its progress so). */
  readonly onProgress?: (position: number, failure: unknown) => void;
  /** Told what the operator should know: the read models were rebuilt, and why. */
  readonly onNotice?: (message: string) => void;
}

/** What the rest of the service sees of the projections, kept on this thread or on one of their own. */
export interface LiveProjections {
  /** The position every projection has reached (-1 before the first event). */
  readonly position: number;
  /** The last error a live batch hit, if any (reported by readiness). */
  readonly lastFailure: unknown;
  /** Applies everything in the log after the checkpoint; resolves with the position reached. */
  catchUp(): Promise<number>;
  /** Drops every read model and replays the whole log. */
  rebuild(): Promise<number>;
  /** Every row of every read model, in key order. */
  dump(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Prepared {
  readonly projection: AnyProjection;
  readonly load: (key: string) => unknown;
  readonly save: (key: string, doc: unknown) => void;
  readonly remove: (key: string) => void;
  /** The columns' history by record time, for a projection that keeps one (ColumnHistory). */
  readonly history: VersionWriter | null;
}

/**
 * Keeps projections up to date with the log. Events are applied in global order, in batches; each
 * batch writes the touched documents and the new checkpoint in one SQLite transaction, and events
 * at or before a projection's checkpoint are skipped — so replaying an event changes nothing, and
 * a crash between batches resumes where the last transaction ended. `start` catches up, then
 * follows the store's live subscription (the SQLite log or EventStoreDB's `$all`).
 */
export class ProjectionRunner implements LiveProjections {
  private readonly prepared: Prepared[];
  private readonly checkpoints = new Map<string, number>();
  private readonly cache = new Map<string, unknown>();
  private readonly batchSize: number;
  private readonly cacheLimit: number;
  private subscription?: Subscription;
  private buffer: RecordedEvent[] = [];
  private flushQueued = false;
  private waiters: { position: number; resolve: () => void }[] = [];
  private failure: unknown = null;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly retryMs: number;
  private readonly liveBatchMs: number;
  private readonly onProgress: (position: number, failure: unknown) => void;
  private readonly onNotice: (message: string) => void;
  private readonly saveLastApplied;
  private lastFlushAt = -Infinity;
  private readonly saveCheckpoint;
  private readonly storedCheckpoint;
  /** Built once: better-sqlite3 makes a transaction function's wrappers each time it is asked for one. */
  private readonly applyInTransaction: (fresh: readonly RecordedEvent[]) => Map<string, number>;

  constructor(
    /** The log: read to catch up, followed live. */
    private readonly store: Pick<EventStore, 'readAll' | 'readAt' | 'subscribe'>,
    private readonly db: ReadModelDatabase,
    projections: readonly AnyProjection[],
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2000;
    this.cacheLimit = options.cachedDocuments ?? 10_000;
    this.retryMs = options.retryMs ?? 1000;
    this.liveBatchMs = options.liveBatchMs ?? 20;
    this.onProgress = options.onProgress ?? (() => undefined);
    this.onNotice = options.onNotice ?? (() => undefined);
    this.prepared = projections.map((projection) => this.prepare(projection));
    this.saveCheckpoint = db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?');
    this.storedCheckpoint = db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').pluck();
    this.saveLastApplied = db.prepare('INSERT OR REPLACE INTO projection_log (id, position, hash) VALUES (1, ?, ?)');
    const apply = db.transaction((fresh: readonly RecordedEvent[]) => this.applyFresh(fresh));
    // IMMEDIATE: the write lock first, then the reads, so another process's read side on the same
    // file makes this one wait (busy_timeout) instead of failing with SQLITE_BUSY at its first write
    this.applyInTransaction = (fresh) => apply.immediate(fresh);
    this.loadCheckpoints();
  }

  get position(): number {
    return Math.min(...this.checkpoints.values());
  }

  get lastFailure(): unknown {
    return this.failure;
  }

  async catchUp(): Promise<number> {
    await this.checkTheLog();
    for (;;) {
      const page = await this.store.readAll(this.position, this.batchSize);
      this.apply(page);
      if (page.length < this.batchSize) return this.position;
    }
  }

  /**
   * Catches up, then follows the log live. If the store cannot be read (down at start-up), the
   * failure is reported through `lastFailure` and catching up is retried in the background until
   * it works — the process starts anyway, so it can answer health checks and recover on its own.
   */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.catchUp();
      this.setFailure(null);
    } catch (error) {
      this.setFailure(error);
      this.retryTimer = setTimeout(() => void this.start(), this.retryMs);
      this.retryTimer.unref();
      return;
    }
    if (this.stopped) return;
    this.subscription = this.store.subscribe(this.position, (event) => this.enqueue(event));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.subscription?.close();
    this.subscription = undefined;
    this.flush();
  }

  /** Drops every read model and replays the whole log (`npm run projections:rebuild`). */
  async rebuild(): Promise<number> {
    this.dropAll();
    return this.catchUp();
  }

  private dropAll(): void {
    for (const { projection, history } of this.prepared) {
      prepareTable(this.db, projection, true);
      history?.forget();
    }
    this.db.prepare('DELETE FROM projection_log').run();
    this.cache.clear();
    this.loadCheckpoints();
  }

  /**
   * The read models belong to one log: the last event they applied is noted with its hash. If the
   * log no longer holds that event (a restore took the log back, another log was put in its place,
   * events were removed), documents folded from events the log does not have would be served, and
   * events at positions below the checkpoint never applied: the read models are rebuilt instead.
   */
  private async checkTheLog(): Promise<void> {
    const applied = this.db.prepare('SELECT position, hash FROM projection_log WHERE id = 1').get() as
      { position: number; hash: string } | undefined;
    if (!applied) return;
    const there = await this.store.readAt(applied.position);
    if (there?.position === applied.position && there.metadata.hash === applied.hash) return;
    this.onNotice(
      `the read models were built from a log that held an event at position ${applied.position} which this log ${there?.position === applied.position ? 'holds with another hash' : 'does not hold'} (a restore, or another log put in its place): rebuilding them from this log`,
    );
    this.dropAll();
  }

  /** Resolves once the projections have applied the event at `position`. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`projections did not reach position ${position}`)), timeoutMs);
      this.waiters.push({ position, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  dump(): string {
    return dumpReadModels(
      this.db,
      this.prepared.map(({ projection }) => projection),
    );
  }

  /** Applies a batch in one transaction; events a projection has already seen are skipped. */
  apply(events: readonly RecordedEvent[]): void {
    const fresh = events.filter((event) => event.position > this.position);
    if (!fresh.length) return;
    let reached: Map<string, number>;
    try {
      reached = this.applyInTransaction(fresh);
    } catch (error) {
      // they may hold documents and spans the rolled-back transaction never wrote
      this.cache.clear();
      for (const { history } of this.prepared) history?.forget();
      throw error;
    }
    for (const [name, position] of reached) this.checkpoints.set(name, position);
    this.onProgress(this.position, this.failure);
    this.waiters = this.waiters.filter((waiter) => (this.position >= waiter.position ? (waiter.resolve(), false) : true));
  }

  /** Every projection's documents and checkpoint for the batch; the positions each reached. */
  private applyFresh(fresh: readonly RecordedEvent[]): Map<string, number> {
    const reached = new Map<string, number>();
    for (const prepared of this.prepared) {
      const { projection } = prepared;
      const checkpoint = this.checkpointInTransaction(projection.name);
      const touched = new Map<string, unknown>();
      for (const event of fresh) {
        if (event.position <= checkpoint) continue;
        const key = projection.keyOf(event);
        if (key === null) continue;
        const current = touched.has(key) ? touched.get(key) : this.cached(prepared, key);
        const next = projection.evolve(current ?? null, event);
        touched.set(key, next);
        // each event's columns, not the batch's last: a rebuild in large batches keeps the same history as live
        prepared.history?.record(key, next, event.metadata.recordedAt);
      }
      for (const [key, doc] of touched) {
        if (doc === null) prepared.remove(key);
        else prepared.save(key, doc);
        this.remember(projection.name, key, doc);
      }
      const position = Math.max(checkpoint, fresh.at(-1)!.position);
      this.saveCheckpoint.run(position, projection.name);
      reached.set(projection.name, position);
    }
    const last = fresh.at(-1)!;
    this.saveLastApplied.run(last.position, last.metadata.hash);
    return reached;
  }

  /**
   * The projection's checkpoint as the file has it, read inside the write transaction: the file's
   * documents and checkpoint were committed together, so an event at or before it is already in
   * the documents and is never applied again, even if something else (another process on the same
   * file, which ReadModelOwnership refuses) moved it meanwhile. Then what this runner remembers of
   * the documents is stale, and is dropped.
   */
  private checkpointInTransaction(name: string): number {
    const stored = this.storedCheckpoint.get(name) as number;
    if (stored !== this.checkpoints.get(name)) {
      this.cache.clear();
      for (const { history } of this.prepared) history?.forget();
      this.checkpoints.set(name, stored);
    }
    return stored;
  }

  private enqueue(event: RecordedEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      const wait = this.lastFlushAt + this.liveBatchMs - performance.now();
      if (wait > 0) setTimeout(() => this.flush(), wait).unref();
      else setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    this.lastFlushAt = performance.now();
    const events = this.buffer;
    this.buffer = [];
    try {
      this.apply(events);
      this.setFailure(null);
    } catch (error) {
      // Nothing of the batch was written; the next catch-up applies it again from the checkpoint.
      this.setFailure(error);
      void this.catchUp().catch((again: unknown) => this.setFailure(again));
    }
  }

  private setFailure(failure: unknown): void {
    if (failure === this.failure) return;
    this.failure = failure;
    this.onProgress(this.position, failure);
  }

  private cached(prepared: Prepared, key: string): unknown {
    const found = cacheKey(prepared.projection.name, key);
    return this.cache.has(found) ? this.cache.get(found) : prepared.load(key);
  }

  private remember(name: string, key: string, doc: unknown): void {
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(cacheKey(name, key), doc);
  }

  private loadCheckpoints(): void {
    for (const { projection } of this.prepared) {
      const row = this.db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').get(projection.name) as {
        position: number;
      };
      this.checkpoints.set(projection.name, row.position);
    }
  }

  private prepare(projection: AnyProjection): Prepared {
    prepareTable(this.db, projection, false);
    const table = tableOf(projection);
    const history = projection.history ? new VersionWriter(this.db, projection) : null;
    const save = documentWriter(this.db, projection);
    const select = this.db.prepare(`SELECT doc FROM ${table} WHERE key = ?`).pluck();
    const remove = this.db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    return {
      projection,
      load: (key) => {
        const doc = select.get(key) as string | undefined;
        return doc === undefined ? null : JSON.parse(doc);
      },
      save,
      remove: (key) => void remove.run(key),
      history,
    };
  }
}

type Row = Record<string, ColumnValue>;

/**
 * Writes a projection's column history (ColumnHistory): for each event, if the document's
 * versioned columns now differ from its open span's, the span is closed at the event's recorded
 * instant and a new one opened. Events recorded at the same instant (one append) make one span.
 */
class VersionWriter {
  private readonly open = new Map<string, Row | null>();
  private readonly statements;
  private readonly compared: readonly Column<unknown>[];

  constructor(
    db: ReadModelDatabase,
    private readonly projection: AnyProjection,
  ) {
    const versions = `${tableOf(projection)}_versions`;
    const names = projection.columns.map((c) => c.name);
    this.compared = projection.columns.filter((c) => !projection.history!.unversioned.includes(c.name));
    this.statements = {
      // `+known_to`: a complaint's spans are found by its key (the primary key's prefix, a few rows).
      // Left to itself SQLite's planner takes the (known_to, known_from) index for the constant
      // instead and walks every complaint's open span for each event: a rebuild grew with the
      // square of the ledger (2,400 events/s at 10,000 complaints, a first start of hours at a million).
      open: db.prepare(`SELECT * FROM ${versions} WHERE key = ? AND +known_to = '${OPEN}'`),
      close: db.prepare(`UPDATE ${versions} SET known_to = ? WHERE key = ? AND known_from = ?`),
      insert: db.prepare(
        `INSERT OR REPLACE INTO ${versions} (key, known_from, known_to, ${names.join(', ')}) VALUES (?, ?, '${OPEN}', ${names.map(() => '?').join(', ')})`,
      ),
    };
  }

  record(key: string, doc: unknown, at: string): void {
    const open = this.open.has(key) ? this.open.get(key)! : ((this.statements.open.get(key) as Row | undefined) ?? null);
    if (doc === null) {
      if (open) this.statements.close.run(at, key, open.known_from);
      this.remember(key, null);
      return;
    }
    const row: Row = { known_from: at };
    for (const column of this.projection.columns) row[column.name] = column.of(doc);
    if (open && this.compared.every((column) => open[column.name] === row[column.name])) return this.remember(key, open);
    if (open && open.known_from !== at) this.statements.close.run(at, key, open.known_from);
    // the same instant as the open span's start: that span is replaced, never one of no length
    this.statements.insert.run(key, at, ...this.projection.columns.map((c) => row[c.name]));
    this.remember(key, row);
  }

  /** Forgets every span remembered: after a rollback, and when the read models are dropped. */
  forget(): void {
    this.open.clear();
  }

  private remember(key: string, row: Row | null): void {
    if (this.open.size >= 10_000) this.open.clear();
    this.open.set(key, row);
  }
}

const cacheKey = (projection: string, key: string) => `${projection}\u0000${key}`;
