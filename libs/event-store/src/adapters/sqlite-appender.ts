import { preparePrivateFile } from '../private-file';
import Database from 'better-sqlite3';
import { checkAppend } from '../append-rules';
import { GENESIS_HASH, sealJson } from '../hash-chain';
import type { EventSealer } from '../event-mac';
import { MisfiledEvent, type AppendResult, type ExpectedRevision, type NewEvent } from '../port';
import { boundPageCache } from '../page-cache';

/** One append of a group commit, as the writer needs it. */
export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

/** Each append's outcome in its batch; `streamKey` is the stream's key, to remember once the batch has committed. */
export type Outcome = { ok: AppendResult; streamKey: number } | { error: unknown };

interface Head {
  key: number;
  revision: number;
  hash: string;
  /** The head event's own stream, to tell that the index of streams still files it under this one. */
  stream_id: string;
  position: number;
}

/**
 * A connection to the log as every writer opens it: WAL, synchronous=FULL (a commit returns once
 * fsynced, so an answered append is durable), and a wait for another process's write lock.
 */
export function openLogConnection(path: string): Database.Database {
  preparePrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  boundPageCache(db);
  return db;
}

/** Stream keys remembered at most (~100 bytes each). */
const STREAM_KEYS_REMEMBERED = 100_000;

/**
 * Streams' keys as committed (a stream's key never changes), so finding a stream's head needs no
 * lookup of its name (~4 of a 1,000-complaint sweep's ~45 ms on a 100,000-stream log). Learnt only
 * from committed rows — what reads return, and appends once their batch has committed — never from
 * rows a batch has not committed yet (a rolled-back stream's key is given to the next new stream).
 * Bounded: when full it is emptied, so the streams used most recently are the ones remembered.
 */
export class StreamKeys {
  private readonly keys = new Map<string, number>();

  get(streamId: string): number | undefined {
    return this.keys.get(streamId);
  }

  remember(streamId: string, key: number): void {
    if (this.keys.has(streamId)) return;
    if (this.keys.size >= STREAM_KEYS_REMEMBERED) this.keys.clear();
    this.keys.set(streamId, key);
  }

  /** The streams of a committed batch's successful appends. */
  rememberCommitted(batch: readonly AppendRequest[], outcomes: readonly Outcome[]): void {
    batch.forEach(({ streamId }, i) => {
      const outcome = outcomes[i]!;
      if ('ok' in outcome) this.remember(streamId, outcome.streamKey);
    });
  }
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

/**
 * The SQLite log's write path: a batch of appends in one transaction (group commit), each append
 * in its own savepoint so that one conflicting append fails alone. Used on the store's own
 * connection, or on the writer thread's (sqlite-writer.ts).
 */
export class SqliteAppender {
  private readonly statements;
  /** The batch's transaction and each append's savepoint, built once (better-sqlite3 makes wrappers per call). */
  private readonly commitBatch: Database.Transaction<(batch: readonly AppendRequest[], clock: () => string) => Outcome[]>;

  constructor(
    private readonly db: Database.Database,
    private readonly streamKeys: StreamKeys,
    /** Authenticates each event as it is sealed (decision 0023); none: events are written unauthenticated. */
    private readonly sealer: EventSealer | null = null,
  ) {
    this.statements = {
      newStream: db.prepare('INSERT INTO streams (name) VALUES (?)'),
      // the stream's key and its last event's revision and hash, in one statement
      head: db.prepare<[string], Head>(
        `SELECT s.key AS key, e.revision AS revision, json_extract(e.metadata, '$.hash') AS hash, e.stream_id AS stream_id, e.position AS position
         FROM streams s JOIN events e ON e.stream_key = s.key WHERE s.name = ? ORDER BY e.revision DESC LIMIT 1`,
      ),
      headByKey: db.prepare<[number], Omit<Head, 'key'>>(
        `SELECT revision, json_extract(metadata, '$.hash') AS hash, stream_id, position FROM events WHERE stream_key = ? ORDER BY revision DESC LIMIT 1`,
      ),
      byId: db.prepare<[number, string], { position: number; revision: number; type: string }>(
        'SELECT position, revision, type FROM events WHERE stream_key = ? AND event_id = ?',
      ),
      insert: db.prepare(
        'INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    // nested in the batch's transaction: a savepoint, rolled back alone on error
    const attempt = db.transaction((append: AppendRequest, recordedAt: string, lookUpIds: boolean) =>
      this.appendOne(append, recordedAt, lookUpIds),
    );
    const appendWithFallback = (append: AppendRequest, recordedAt: string): Outcome => {
      try {
        return attempt(append, recordedAt, false);
      } catch (error) {
        if (!isEventIdClash(error)) throw error;
        return attempt(append, recordedAt, true); // decided again, with every lookup
      }
    };
    this.commitBatch = db.transaction((batch: readonly AppendRequest[], clock: () => string) => {
      const recordedAt = clock(); // read once the write lock is held; the batch commits as one: one instant for all of it
      return batch.map((append): Outcome => {
        try {
          return appendWithFallback(append, recordedAt);
        } catch (error) {
          // SQLite gives up the whole transaction on some errors (disk full, I/O). The appends after
          // this one would then run outside it, each committed on its own, and be reported as
          // failed with the rest when the batch's COMMIT fails: the batch fails here, as one.
          if (!db.inTransaction) throw error;
          return { error };
        }
      });
    });
  }

  /**
   * Writes the batch in one transaction, every event recorded at the instant `clock` gives once the
   * write lock is held, and remembers its streams' keys once committed. Throws when the batch as a whole
   * failed (disk full, I/O error): then nothing of it was written.
   */
  commit(batch: readonly AppendRequest[], clock: () => string): Outcome[] {
    // BEGIN IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the batch reads
    // any head. A deferred transaction reads first and upgrades at its first write, which SQLite
    // refuses at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT when another process (the worker
    // beside the API) wrote meanwhile, failing appends that only had to wait their turn.
    const outcomes = this.commitBatch.immediate(batch, clock);
    this.streamKeys.rememberCommitted(batch, outcomes);
    return outcomes;
  }

  /**
   * An append that expects exactly the stream's head cannot be a retry of events already in the
   * stream (a retry expects the head it saw before its first attempt), so its event ids are left
   * to the (stream, event id) index rather than looked up one by one. If the index objects, the
   * append is rolled back and decided again with `lookUpIds`: the shared rules then tell a retry
   * from a reused id exactly as they always do.
   */
  private appendOne(append: AppendRequest, recordedAt: string, lookUpIds: boolean): Outcome {
    const { streamId, events, expected } = append;
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
      const position = existing(events.at(-1)!.eventId)!.position;
      return { ok: { revision: decision.revision, position, written: false }, streamKey: head!.key };
    }
    const key = head ? head.key : Number(this.statements.newStream.run(streamId).lastInsertRowid);
    let prevHash = head ? head.hash : GENESIS_HASH;
    let revision = head ? head.revision : -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const sealed = sealJson(streamId, revision, event, prevHash, recordedAt, this.sealer);
      const info = this.statements.insert.run(key, streamId, revision, event.eventId, event.type, sealed.data, sealed.metadata);
      position = Number(info.lastInsertRowid);
      prevHash = sealed.hash;
    }
    return { ok: { revision, position, written: true }, streamKey: key };
  }

  /** The stream's head; an index of streams that files another stream's event as this one's head is refused, not chained onto. */
  private headOf(streamId: string): Head | undefined {
    const key = this.streamKeys.get(streamId);
    let head: Head | undefined;
    if (key === undefined) head = this.statements.head.get(streamId);
    else {
      const found = this.statements.headByKey.get(key);
      head = found && { ...found, key };
    }
    if (!head) return undefined;
    if (head.stream_id !== streamId) throw new MisfiledEvent(head.stream_id, head.revision, head.position, streamId);
    return head;
  }
}
