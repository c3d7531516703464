import { checkAppend, headToTrust, refuseRepeatedIds } from '../append-rules';
import { chain, GENESIS_HASH } from '../hash-chain';
import { sealerOf, type EventKey, type EventSealer } from '../event-mac';
import {
  OutcomeUnknown,
  StoreUnavailable,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type RecordedMetadata,
  type StreamHead,
  type Subscription,
  type SubscriptionHealth,
} from '../port';
import {
  clientLibrary,
  clientNameFor,
  parseEventStoreConnectionString,
  type Cancellable,
  type ClientEvent,
  type ClientLibrary,
  type EventStoreDbClientLike,
  type Position,
} from './eventstoredb-clients';

export { isEventStoreConnectionString, parseEventStoreConnectionString, type EventStoreDbClientLike } from './eventstoredb-clients';

export interface EventStoreDbOptions {
  /** Streams that belong to the ledger; `$all` reads and subscriptions see only these. */
  readonly streamPrefixes?: readonly string[];
  readonly clock?: () => string;
  /** Pause before a dropped subscription resubscribes from where it stopped. */
  readonly resubscribeDelayMs?: number;
  /**
   * The longest wait for the server's next answer to a read, an append or a subscription's
   * confirmation (the connection string's `defaultDeadline`, 10 s by default). The client sends
   * reads and subscriptions with no deadline at all, so the adapter keeps this one itself.
   */
  readonly deadlineMs?: number;
  /** The readiness check's own, shorter limit. */
  readonly readyDeadlineMs?: number;
  /** An append expecting `any` re-reads and tries again when another writer slipped in; this many times at most. */
  readonly maxConflictRetries?: number;
  readonly logger?: { warn(message: string): void };
  /** The key the events this adapter writes are authenticated under (decision 0023). */
  readonly eventKey?: EventKey | null;
}

/**
 * The production adapter (docs/architecture.md, principle 5) on EventStoreDB / KurrentDB.
 *
 * - Streams are the port's names (`complaint-<id>`); revisions are EventStoreDB's stream revisions.
 * - The port's global position is the event's commit position in `$all`. Since EventStoreDB 20,
 *   events appended over gRPC each have commit = prepare, so it is unique and resuming from
 *   `{commit: p, prepare: p}` is exact (the convention other EventStoreDB projection runners use).
 * - Our metadata (occurredAt, actor, correlation, schema version, recordedAt and the hash chain)
 *   travels as the event's JSON metadata, so the chain verifies from the server's copy alone.
 * - The hash chain needs the previous event's hash: an append takes it from the head the caller
 *   has just read (`expectedHead`), or reads the stream first, and writes at exactly that
 *   revision: a writer that slipped in between makes EventStoreDB answer `WrongExpectedVersion`,
 *   never a broken chain. Then the stream is read and the append decided again; `any` chains onto
 *   the new head, a bounded number of times.
 * - EventStoreDB keeps no index of event ids across streams, so an event id is checked against
 *   the target stream only (a retry is recognised; a reused id in that stream is refused). Our
 *   event ids are random or derived from the complaint id, so a cross-stream clash needs a bug.
 */
export class EventStoreDbEventStore implements EventStore {
  static readonly uniqueEventIdsAcrossStreams = false;
  private readonly prefixes: readonly string[];
  private readonly clock: () => string;
  private readonly resubscribeDelayMs: number;
  private readonly deadlineMs: number;
  private readonly readyDeadlineMs: number;
  private readonly maxConflictRetries: number;
  private readonly logger: { warn(message: string): void };
  private readonly sealer: EventSealer | null;
  private subscription: { -readonly [K in keyof SubscriptionHealth]: SubscriptionHealth[K] } = { status: 'none', failures: 0 };

  /** The client library in use (both speak the same protocol: see eventstoredb-clients.ts). */
  private readonly lib: ClientLibrary;

  /** `client`: a connected client of the library `library` names (the EventStoreDB client unless said). */
  constructor(
    private readonly client: EventStoreDbClientLike,
    options: EventStoreDbOptions = {},
    library: ClientLibrary['name'] = '@eventstore/db-client',
  ) {
    this.lib = clientLibrary(library);
    this.prefixes = options.streamPrefixes ?? ['complaint-', 'ledger-']; // complaints, and the ledger's own (its checkpoints)
    this.clock = options.clock ?? (() => new Date().toISOString());
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 1000;
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.readyDeadlineMs = options.readyDeadlineMs ?? Math.min(this.deadlineMs, 2_000);
    this.maxConflictRetries = options.maxConflictRetries ?? 8;
    this.logger = options.logger ?? { warn: (message) => process.stderr.write(`${message}\n`) };
    this.sealer = options.eventKey ? sealerOf(options.eventKey) : null;
  }

  /**
   * Connects through the client the connection string's scheme names (`esdb://`: EventStoreDB's,
   * `kurrentdb://`: KurrentDB's); its `defaultDeadline` bounds reads too.
   */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    const { defaultDeadline } = parseEventStoreConnectionString(connectionString);
    const library = clientNameFor(connectionString);
    return new EventStoreDbEventStore(
      clientLibrary(library).connect(connectionString),
      { ...(defaultDeadline ? { deadlineMs: defaultDeadline } : {}), ...options },
      library,
    );
  }

  /**
   * With an `expectedHead` (the write path has just read the stream), one call: the events are
   * chained onto that head's hash and appended expecting it. Without one, or when the server says
   * the stream has moved on, the stream is read first and the append decided from what it holds
   * (a retry recognised, a stale expectation refused, `any` chained onto the head).
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    expectedHead?: StreamHead,
  ): Promise<AppendResult> {
    let taken = headToTrust(expected, expectedHead);
    let redirected = false;
    for (let attempt = 1; ; attempt++) {
      let head: number | 'no_stream';
      let prevHash: string;
      if (taken) {
        refuseRepeatedIds(events); // the ids the caller read were its to check; an append's own repeats are the store's
        head = taken.revision < 0 ? 'no_stream' : taken.revision;
        prevHash = taken.hash;
      } else {
        const stream = await this.readStream(streamId);
        // the head is the last event's own revision: a stream whose start was truncated or scavenged does not start at 0
        head = stream.length ? stream.at(-1)!.revision : 'no_stream';
        const byId = new Map(stream.map((event) => [event.eventId, event]));
        const decision = checkAppend(streamId, head, expected, events, (id) => byId.get(id));
        if (decision.kind === 'already_written') {
          const written = stream.find((event) => event.revision === decision.revision)!;
          return { revision: decision.revision, position: written.position, written: false };
        }
        prevHash = stream.at(-1)?.metadata.hash ?? GENESIS_HASH;
      }
      try {
        return await this.write(streamId, events, head, prevHash);
      } catch (error) {
        const actual = this.lib.wrongExpectedVersion(error);
        if (actual !== undefined) {
          // the stream moved on since the caller read it: read it and decide as without its head
          if (taken) {
            taken = undefined;
            continue;
          }
          // someone appended between our read and write: chain onto theirs, a bounded number of times
          if (expected === 'any' && attempt < this.maxConflictRetries) continue;
          throw new WrongExpectedRevision(streamId, expected, actual === 'no_stream' ? actual : Number(actual));
        }
        // refused by a node that is not the leader: nothing was written, and the client now talks to the leader it named
        if (this.lib.isNotLeader(error) && !redirected) {
          redirected = true;
          continue;
        }
        throw this.appendFailed(error);
      }
    }
  }

  /** Seals the events onto the stream's head (`prevHash`) and appends them expecting that head. */
  private async write(streamId: string, events: readonly NewEvent[], head: number | 'no_stream', prevHash: string): Promise<AppendResult> {
    const recordedAt = this.clock();
    const next = head === 'no_stream' ? 0 : head + 1;
    const sealed = events.map((event, i) => {
      const recorded = chain(streamId, next + i, event, prevHash, recordedAt, this.sealer);
      prevHash = recorded.metadata.hash;
      return this.lib.jsonEvent({ id: recorded.eventId, type: recorded.type, data: recorded.data, metadata: recorded.metadata });
    });
    const appending = this.client.appendToStream(
      streamId,
      sealed,
      // the deadline the client sends is an instant by this host's clock, which the server measures against its own: one
      // behind the server's by more than the deadline would have every append refused before it is made (and the clock
      // probe, an append, could never say why). Sent with room for any offset; withinDeadline below keeps the real one.
      this.lib.appendOptions(head === 'no_stream' ? 'no_stream' : BigInt(head), this.deadlineMs + SERVER_CLOCK_ROOM_MS),
    );
    // the client's own deadline covers the call, not its wait for the server's features first
    const result = await withinDeadline(appending, this.deadlineMs, 'append');
    const revision = Number(result.nextExpectedRevision);
    // a server before 23.10 answers an append it recognises (the same event ids) without a position: look it up
    const position = result.position
      ? Number(result.position.commit)
      : ((await this.readStream(streamId)).find((e) => e.revision === revision)?.position ?? -1);
    return { revision, position, written: true };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.reading('read a stream', async () => {
      const events: RecordedEvent[] = [];
      const read = this.client.readStream(streamId, { direction: 'forwards', fromRevision: 'start' });
      for await (const resolved of answering(read, this.deadlineMs, 'read a stream')) {
        if (resolved.event) events.push(toRecorded(resolved.event, resolved.commitPosition));
      }
      return events;
    });
  }

  /** One event, read from the end: the stream's head, whatever its length. */
  async readLastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const [last] = await this.reading('read a stream', async () => {
      const read = this.client.readStream(streamId, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
      const events: RecordedEvent[] = [];
      for await (const resolved of answering(read, this.deadlineMs, 'read a stream')) {
        if (resolved.event) events.push(toRecorded(resolved.event, resolved.commitPosition));
      }
      return events;
    });
    return last;
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    return this.reading('read $all', async () => {
      const found: RecordedEvent[] = [];
      for await (const event of this.allFrom(afterPosition < 0 ? 'start' : positionOf(afterPosition))) {
        const position = event.position.commit;
        if (Number(position) <= afterPosition || !this.isLedgerStream(event.streamId)) continue;
        found.push(toRecorded(event, position));
        if (found.length === limit) return found;
      }
      return found;
    });
  }

  async readAt(position: number): Promise<RecordedEvent | undefined> {
    return (
      await this.reading('read $all at a position', async () => {
        let refusedAtOnce = true; // every failed read so far a refusal through the KurrentDB client, well inside the deadline
        for (let attempt = 1; ; attempt++) {
          const began = performance.now();
          try {
            const read = this.client.readAll({ direction: 'forwards', fromPosition: positionOf(position), maxCount: 1 });
            for await (const resolved of answering(read, this.deadlineMs, 'read $all at a position')) {
              const event = resolved.event;
              if (event && Number(event.position.commit) === position && this.isLedgerStream(event.streamId))
                return [toRecorded(event, event.position.commit)];
            }
            return [];
          } catch (error) {
            // no record starts there (a position from another log): nothing of this log is at it
            if (this.lib.isInvalidPosition(error)) return [];
            // no answer in time, or another node leads: the server did not refuse the position, so the read failed
            if (error instanceof DeadlineExceeded || this.lib.isNotLeader(error)) throw error;
            // @kurrent/kurrentdb-client's native reader passes that refusal on as UnavailableError, as it does a failure of the
            // read itself: a position past the log's end holds nothing; inside it, a read refused at once, again and again, while
            // the server answers a read of the end, is one from where no record starts (a transient failure does not repeat so)
            const end = await this.endOfLog().catch(() => null);
            if (end === null) throw error;
            if (position > end) return [];
            refusedAtOnce &&= this.lib.name === '@kurrent/kurrentdb-client' && performance.now() - began < this.deadlineMs / 2;
            if (attempt >= READ_AT_ATTEMPTS) {
              if (refusedAtOnce) return [];
              throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          }
        }
      })
    )[0];
  }

  /**
   * `$all` from `from` on, a page at a time, each event once: its reads include their start, so a
   * page's first event (the last one of the page before) is passed over. It holds system and
   * foreign streams too; the caller keeps what it wants.
   */
  private async *allFrom(from: 'start' | Position): AsyncGenerator<ClientEvent & { readonly position: Position }> {
    let last: bigint | undefined;
    for (;;) {
      let seen = 0;
      const read = this.client.readAll({ direction: 'forwards', fromPosition: from, maxCount: PAGE });
      for await (const resolved of answering(read, this.deadlineMs, 'read $all')) {
        seen++;
        const event = resolved.event;
        if (!event || (last !== undefined && event.position.commit <= last)) continue;
        last = event.position.commit;
        yield event;
      }
      if (seen < PAGE || last === undefined) return;
      from = positionOf(Number(last));
    }
  }

  /**
   * A read, mapped to the port: a stream that does not exist, or was deleted for good (only
   * streams outside the ledger's record are: `tombstone`), is empty; a node that is not the
   * leader is asked once more (the client then talks to the leader it named); any other failure
   * leaves the store unavailable for now.
   */
  private async reading(what: string, read: () => Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
    for (let redirected = false; ; redirected = true) {
      try {
        return await read();
      } catch (error) {
        if (this.lib.isStreamNotFound(error) || this.lib.isStreamDeleted(error)) return [];
        if (this.lib.isNotLeader(error) && !redirected) continue;
        throw this.unavailable(what, error);
      }
    }
  }

  /**
   * Catches up and follows `$all` (the ledger's streams only). A subscription the server drops,
   * refuses (access denied, a bad certificate) or never confirms within the deadline is logged,
   * counted and shown by `subscriptionHealth()`, and resubscribed from the last event delivered.
   */
  subscribe(afterPosition: number, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    let open = true;
    let position = afterPosition;
    let current: { unsubscribe(): Promise<void> } | undefined;
    const filter = this.lib.streamNameFilter([...this.prefixes]);
    const done = (async () => {
      while (open) {
        this.subscription.status = this.subscription.failures ? 'resubscribing' : 'connecting';
        try {
          const subscription = this.client.subscribeToAll({ fromPosition: position < 0 ? 'start' : positionOf(position), filter });
          current = subscription;
          if (subscription.once) {
            const confirmed = new Promise<void>((resolve, reject) => {
              subscription.once!('confirmation', () => resolve());
              subscription.once!('error', reject); // refused before confirming: access denied, a bad certificate
            });
            await withinDeadline(confirmed, this.deadlineMs, 'confirm a subscription to $all');
          }
          this.subscription.status = 'live';
          for await (const resolved of subscription) {
            if (!open) break;
            const event = resolved.event;
            // Subscriptions start after their position, but a resubscription must never repeat one.
            if (!event || Number(event.position.commit) <= position || !this.isLedgerStream(event.streamId)) continue;
            await handler(toRecorded(event, event.position.commit));
            position = Number(event.position.commit);
          }
          if (open) throw new Error('the server ended the subscription');
        } catch (error) {
          await current?.unsubscribe().catch(() => undefined);
          if (!open) break;
          const reason = error instanceof Error ? error.message : String(error);
          this.subscription = { status: 'resubscribing', failures: this.subscription.failures + 1, lastFailure: reason };
          this.logger.warn(`EventStoreDB subscription to $all failed (${reason}); resubscribing from position ${position}`);
        }
        if (open) await new Promise((resolve) => setTimeout(resolve, this.resubscribeDelayMs));
      }
    })();
    return {
      close: async () => {
        open = false;
        this.subscription.status = 'none';
        await current?.unsubscribe().catch(() => undefined);
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 50))]);
      },
    };
  }

  /** Only the last `count` events of a stream are kept (its $maxCount): for the duties' small streams, never the ledger's. */
  keepLast(streamId: string, count: number): Promise<void> {
    return this.setMetadata(streamId, { maxCount: count });
  }

  /** Hides a stream's events before `revision` from reads (its $tb), for a stream outside the ledger's record; a scavenge removes them. */
  truncateBefore(streamId: string, revision: number): Promise<void> {
    return this.setMetadata(streamId, { truncateBefore: revision });
  }

  /** Sets a stream's metadata ($maxCount, $tb): only ever for streams outside the ledger's record, which is kept whole. */
  private async setMetadata(streamId: string, metadata: { maxCount?: number; truncateBefore?: number }): Promise<void> {
    if (this.isLedgerStream(streamId)) throw new Error(`the ledger's own stream ${streamId} is kept whole`);
    try {
      // with the room an append's deadline has (SERVER_CLOCK_ROOM_MS): a server clock ahead by more than the deadline refused it,
      // and the clock watch, which keeps its probes' stream short by it, never measured the offset it is there to find
      const setting = this.client.setStreamMetadata(streamId, metadata, { deadline: this.deadlineMs + SERVER_CLOCK_ROOM_MS });
      await withinDeadline(setting, this.deadlineMs, 'set stream metadata');
    } catch (error) {
      throw this.unavailable('set stream metadata', error);
    }
  }

  /**
   * Every stream outside the ledger's record whose name starts with `prefix`, found by a pass over
   * `$all` (a maintenance task's read: `npm run keys:rotate`); a deleted one is among them until a
   * scavenge, so a caller reads each and passes over the empty.
   */
  async streamsNamed(prefix: string): Promise<string[]> {
    const names = new Set<string>();
    await this.reading('read $all', async () => {
      for await (const { streamId } of this.allFrom('start'))
        if (streamId.startsWith(prefix) && !this.isLedgerStream(streamId)) names.add(streamId);
      return [];
    });
    return [...names];
  }

  /** Deletes a stream outside the ledger's record for good (the server's tombstone); one already deleted is left so. */
  async tombstone(streamId: string): Promise<void> {
    if (this.isLedgerStream(streamId)) throw new Error(`the ledger's own stream ${streamId} is never deleted`);
    for (let redirected = false; ; redirected = true) {
      try {
        await withinDeadline(this.client.tombstoneStream(streamId, { deadline: this.deadlineMs }), this.deadlineMs, 'delete a stream');
        return;
      } catch (error) {
        if (this.lib.isStreamDeleted(error)) return;
        if (this.lib.isNotLeader(error) && !redirected) continue;
        throw this.unavailable('delete a stream', error);
      }
    }
  }

  /** How finely the `storedAt` of an event read comes through (ms): an event's server time is within this after it. */
  get storedAtResolutionMs(): number {
    return this.lib.createdResolutionMs;
  }

  subscriptionHealth(): SubscriptionHealth {
    return { ...this.subscription };
  }

  /** The position of `$all`'s last record (-1 for an empty log). */
  private async endOfLog(deadlineMs = this.deadlineMs, what = 'read the end of $all'): Promise<number> {
    const read = this.client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
    let end = -1;
    for await (const resolved of answering(read, deadlineMs, what))
      if (resolved.event) end = Math.max(end, Number(resolved.event.position.commit));
    return end;
  }

  /** Whether the server answers a read of `$all`'s last event within the readiness deadline. */
  async ready(): Promise<boolean> {
    return this.endOfLog(this.readyDeadlineMs, 'answer the readiness check').then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private isLedgerStream(streamId: string): boolean {
    return this.prefixes.some((prefix) => streamId.startsWith(prefix));
  }

  /**
   * An append the server refused outright wrote nothing: not the leader, access denied, too large.
   * Any other failure once the call was made (no answer within the deadline, the connection lost,
   * the server unavailable mid-call) leaves its outcome unknown: the server may have written the
   * events and the answer been lost. A retry with the same event ids settles it, since the adapter
   * then finds them in the stream.
   */
  private appendFailed(error: unknown): StoreUnavailable {
    if (this.lib.refusal(error) !== null) return this.unavailable('append', error);
    return new OutcomeUnknown(`EventStoreDB did not confirm an append: ${reasonOf(error)}`, error);
  }

  private unavailable(what: string, error: unknown): StoreUnavailable {
    return new StoreUnavailable(`EventStoreDB could not ${what}: ${this.lib.refusal(error) ?? reasonOf(error)}`, error);
  }
}

const PAGE = 500;
/** How often readAt tries a position the server will not read from while it answers other reads, before taking it for another log's. */
const READ_AT_ATTEMPTS = 3;
/**
 * Added to the deadline an append sends: room for the server's clock to run ahead of this host's
 * (the clock watch measures by how much, and refuses writes beyond LEDGER_MAX_CLOCK_OFFSET_MS).
 * The server caps its wait by its own write timeout whatever is sent.
 */
const SERVER_CLOCK_ROOM_MS = 60 * 60_000;

const positionOf = (position: number) => ({ commit: BigInt(position), prepare: BigInt(position) });

function toRecorded(event: ClientEvent, commitPosition: bigint | undefined): RecordedEvent {
  return {
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(commitPosition ?? event.position?.commit ?? -1n),
    eventId: event.id,
    type: event.type,
    data: event.data as object,
    metadata: event.metadata as RecordedMetadata,
    ...storedAtOf(event.created),
  };
}

/** The server's `created` time, when it sent one (the clients make a missing one the epoch). */
const storedAtOf = (created: Date | undefined) =>
  created && created.getTime() > 0 && Number.isFinite(created.getTime()) ? { storedAt: created.toISOString() } : {};

/** The server did not answer in time (the adapter's own deadline). */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`EventStoreDB did not ${what} within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/** `promise`, or a DeadlineExceeded after `ms`. */
async function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The read's answers, each within `ms` of the one before: a server that stops answering ends the
 * read with DeadlineExceeded, and the gRPC call is cancelled rather than left open (the KurrentDB
 * client's reads, through its native client, have no `cancel()`: they are told to return).
 */
async function* answering<T>(read: Cancellable<T>, ms: number, what: string): AsyncGenerator<T> {
  const iterator = read[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await withinDeadline(iterator.next(), ms, what);
    } catch (error) {
      if (error instanceof DeadlineExceeded) void (read.cancel ? read.cancel() : iterator.return?.())?.catch(() => undefined);
      throw error;
    }
    if (next.done) return;
    yield next.value;
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
