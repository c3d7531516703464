/**
 * The one port every event store adapter implements (docs/architecture.md, principle 5). Streams are
 * `complaint-<id>`; revisions count from 0 within a stream; positions order all events globally.
 */
export interface EventMetadata {
  /** When it happened in the world (business time, docs/architecture.md, principle 2). */
  readonly occurredAt: string;
  /** The authenticated principal; never taken from a request body. */
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly schemaVersion: number;
  /** Present on events written by an idempotent request (the `Idempotency-Key` header). */
  readonly idempotencyKey?: string;
  readonly requestHash?: string;
  /**
   * The W3C trace context of the write that recorded it, where the writing process was tracing
   * (OpenTelemetry): the relay publishes it as a child of that trace (docs/operations.md, "Monitoring").
   */
  readonly traceparent?: string;
  /** Present on events brought in by a bulk import: which import, from which file, which row. */
  readonly provenance?: Provenance;
}

/** Where an imported fact came from (docs/import.md): the import, its source file's SHA-256, the row (from 1). */
export interface Provenance {
  readonly importId: string;
  readonly sourceSha256: string;
  readonly row: number;
}

export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: object;
  readonly metadata: EventMetadata;
}

export interface RecordedMetadata extends EventMetadata {
  /** When the store recorded it. */
  readonly recordedAt: string;
  /** SHA-256 of the previous event in the stream (64 zeros for the first). */
  readonly prevHash: string;
  /** The event key it is authenticated under (event-mac.ts): covered by the hash. Absent on events written before keys. */
  readonly macKeyId?: string;
  readonly hash: string;
  /** HMAC-SHA-256 of the hash under that key: outside the hash, which it covers. */
  readonly mac?: string;
}

export interface RecordedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: object;
  readonly metadata: RecordedMetadata;
  /**
   * When the store's server wrote it, by the server's own clock (EventStoreDB's `created`); absent
   * where the store has no clock of its own (SQLite, memory). Not part of the hash chain: the
   * ledger's record time is `metadata.recordedAt`; this is only what a replica's clock is checked against.
   */
  readonly storedAt?: string;
}

/** `no_stream`: the stream must not exist; a number: the revision of its last event; `any`: no check. */
export type ExpectedRevision = 'no_stream' | 'any' | number;

/**
 * A stream's head as a caller read it from the store: its last event's revision and hash (`-1` and
 * the genesis hash, 64 zeros, when the stream had no event).
 */
export interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly revision: number;
  readonly position: number;
  /**
   * False when every event was already there (an idempotent retry by event id) when the store
   * looked. Given an `expectedHead`, the store has not looked: a retry a server recognises itself
   * is answered as its first attempt was, with the same revision and position.
   */
  readonly written: boolean;
}

export interface Subscription {
  close(): Promise<void>;
}

/** How a store's subscription to the log is doing (a store whose subscription talks to a server), for readiness. */
export interface SubscriptionHealth {
  readonly status: 'none' | 'connecting' | 'live' | 'resubscribing';
  /** Failures since the process started: drops, refusals, confirmations that never came. */
  readonly failures: number;
  readonly lastFailure?: string;
}

export interface EventStore {
  /**
   * Appends `events` if the stream is where `expected` says (an event id already in the stream
   * makes it a retry, answered as written, or a refusal: append-rules.ts). `expectedHead`, for a
   * caller that has just read the stream: its head as read from this store, none of `events`' ids
   * among what was read. A store that would read the stream for its head's hash and those ids
   * (EventStoreDB) writes at once on its word, and reads only if the stream turns out to have
   * moved; it is taken only when its revision is `expected` (-1 with `no_stream`). Stores that keep
   * the head themselves need not use it.
   */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, expectedHead?: StreamHead): Promise<AppendResult>;
  readStream(streamId: string): Promise<RecordedEvent[]>;
  /** The stream's last event, undefined when it has none: read from the end, for a caller that needs only the head. */
  readLastEvent(streamId: string): Promise<RecordedEvent | undefined>;
  /**
   * Events with a position greater than `afterPosition`, in order. `afterPosition` is -1 (the
   * start) or a position this store gave (an event's): EventStoreDB's positions are byte offsets,
   * and a read from one where no record starts is refused.
   */
  readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]>;
  /** The event at exactly `position`; undefined when no event of the log is there (a position from another log, or cut back). */
  readAt(position: number): Promise<RecordedEvent | undefined>;
  /** Catch up from `afterPosition`, then stay live; the handler sees each event once, in order. */
  subscribe(afterPosition: number, handler: (event: RecordedEvent) => Promise<void> | void): Subscription;
  /** True when the store can take writes. */
  ready(): Promise<boolean>;
  /** Where the store's subscription depends on a server: how it is doing. */
  subscriptionHealth?(): SubscriptionHealth;
  /** Where the store can tell: whether anything but this store wrote to the log since last asked (SQLite's data_version). */
  outsideWrites?(): Promise<boolean>;
  /**
   * Keep only a stream's last `count` events (EventStoreDB's $maxCount), for the small streams of
   * coordination outside the ledger's record (the duties' lease). Stores without it keep all.
   */
  keepLast?(streamId: string, count: number): Promise<void>;
  /**
   * Deletes a stream for good (EventStoreDB's tombstone, a hard delete): its events are no longer
   * read, and the name can never be written again. Only for streams outside the ledger's record
   * (a resident's data key, decision 0028); a stream already deleted is left as it is.
   */
  tombstone?(streamId: string): Promise<void>;
  /**
   * Reads of the stream no longer return its events before `revision` (EventStoreDB's `$tb`); a
   * server drops them from its files at its next scavenge. Only for streams outside the ledger's
   * record (a data key re-wrapped under a new master key, decision 0030).
   */
  truncateBefore?(streamId: string, revision: number): Promise<void>;
  /** The names of the streams, outside the ledger's record, that start with `prefix` and still hold events (a pass over `$all`). */
  streamsNamed?(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export class WrongExpectedRevision extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId} is at revision ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** An event id already used for a different event. */
export class DuplicateEventId extends Error {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already used by another event`);
    this.name = 'DuplicateEventId';
  }
}

/**
 * The store cannot take the write (disk full, unreachable) and nothing was written. `untilRestart`
 * when this process takes no more writes of the kind until it is restarted (a failed fsync: the
 * kernel may have dropped what it had not yet written, so nothing after it is trusted to be on disk).
 */
export class StoreUnavailable extends Error {
  /** Whether the write may have been made all the same: see OutcomeUnknown. */
  readonly outcome: 'not-written' | 'unknown' = 'not-written';

  constructor(
    message: string,
    override readonly cause?: unknown,
    readonly untilRestart = false,
  ) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/**
 * The write was sent but never confirmed: a server that did not answer within the deadline, a
 * connection lost mid-call, a writer thread that died with the batch, an fsync that failed after
 * the commit's frames were written. It may be in the log or not. Only a retry that the ledger
 * recognises (the same event ids: the same Idempotency-Key, or the same request) settles which,
 * and records it at most once.
 */
export class OutcomeUnknown extends StoreUnavailable {
  override readonly outcome = 'unknown';

  constructor(message: string, cause?: unknown, untilRestart = false) {
    super(message, cause, untilRestart);
    this.name = 'OutcomeUnknown';
  }
}

export const complaintStream = (complaintId: string): string => `complaint-${complaintId}`;

/** An event whose stored form cannot be read back (its JSON is damaged): named by stream, revision and position. */
export class UnreadableEvent extends Error {
  /** `damaged`: its JSON; `misfiled`: the log's index of streams files it under another stream than its own. */
  readonly kind: 'damaged' | 'misfiled' = 'damaged';

  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly position: number,
    message = `the event at position ${position} (${streamId}, revision ${revision}) cannot be read: its stored form is damaged`,
  ) {
    super(message);
    this.name = 'UnreadableEvent';
  }
}

/**
 * An event the log's index of streams (SQLite's `streams` table and each event's `stream_key`)
 * files under another stream than the one the event itself records: the index was altered (a
 * stream renamed, two names swapped, an event re-pointed), so whatever is read through it is not
 * what verification covered.
 */
export class MisfiledEvent extends UnreadableEvent {
  override readonly kind = 'misfiled';

  constructor(
    streamId: string,
    revision: number,
    position: number,
    readonly filedUnder: string | null,
  ) {
    super(
      streamId,
      revision,
      position,
      `the event at position ${position} (${streamId}, revision ${revision}) is filed in the log's index under ${filedUnder === null ? 'no stream' : JSON.stringify(filedUnder)}: the index of streams was altered`,
    );
    this.name = 'MisfiledEvent';
  }
}
