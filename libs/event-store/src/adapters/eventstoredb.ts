import type * as EventStoreDb from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  AppendResult as EsdbAppendResult,
  EventData,
  Filter,
  ReadPosition,
  ResolvedEvent,
} from '@eventstore/db-client';
import { checkAppend } from '../append-rules';
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
  type Subscription,
  type SubscriptionHealth,
} from '../port';

/**
 * The client library (gRPC and protobuf, a sizeable share of the memory budget) is loaded the first
 * time this adapter is used, so a service running on SQLite never carries it.
 */
let library: typeof EventStoreDb | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const esdb = (): typeof EventStoreDb => (library ??= require('@eventstore/db-client') as typeof EventStoreDb);

/**
 * The part of `@eventstore/db-client`'s client this adapter uses. Narrow on purpose: the real
 * client satisfies it, and a stub of it lets the mapping run in CI where no server can.
 */
export interface EventStoreDbClientLike {
  appendToStream(
    streamName: string,
    events: EventData[],
    options: { expectedRevision: AppendExpectedRevision; deadline: number },
  ): Promise<EsdbAppendResult>;
  readStream(
    streamName: string,
    options: { direction: typeof EventStoreDb.FORWARDS; fromRevision: typeof EventStoreDb.START },
  ): Cancellable<ResolvedEvent>;
  readAll(options: {
    direction: typeof EventStoreDb.FORWARDS | typeof EventStoreDb.BACKWARDS;
    fromPosition: ReadPosition;
    maxCount: number;
  }): Cancellable<AllStreamResolvedEvent>;
  subscribeToAll(options: { fromPosition: ReadPosition; filter: Filter }): AsyncIterable<AllStreamResolvedEvent> & {
    unsubscribe(): Promise<void>;
    once?(event: 'confirmation' | 'error', listener: (error?: Error) => void): unknown;
  };
  dispose(): Promise<void>;
}

/** A read the client can call off (its `cancel()` ends the gRPC call). */
type Cancellable<T> = AsyncIterable<T> & { cancel?(): Promise<void> };

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
 * - The hash chain needs the previous event's hash, so an append reads the stream first and then
 *   writes at exactly that revision: a writer that slipped in between makes EventStoreDB answer
 *   `WrongExpectedVersion`, never a broken chain. `any` re-reads and tries again.
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

  constructor(
    private readonly client: EventStoreDbClientLike,
    options: EventStoreDbOptions = {},
  ) {
    this.prefixes = options.streamPrefixes ?? ['complaint-', 'ledger-']; // complaints, and the ledger's own (its checkpoints)
    this.clock = options.clock ?? (() => new Date().toISOString());
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 1000;
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.readyDeadlineMs = options.readyDeadlineMs ?? Math.min(this.deadlineMs, 2_000);
    this.maxConflictRetries = options.maxConflictRetries ?? 8;
    this.logger = options.logger ?? { warn: (message) => process.stderr.write(`${message}\n`) };
    this.sealer = options.eventKey ? sealerOf(options.eventKey) : null;
  }

  /** Connects as the client would; the connection string's `defaultDeadline` bounds reads too. */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    const { defaultDeadline } = parseEventStoreConnectionString(connectionString);
    return new EventStoreDbEventStore(esdb().EventStoreDBClient.connectionString(connectionString), {
      ...(defaultDeadline ? { deadlineMs: defaultDeadline } : {}),
      ...options,
    });
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const stream = await this.readStream(streamId);
      // the head is the last event's own revision: a stream whose start was truncated or scavenged does not start at 0
      const head = stream.length ? stream.at(-1)!.revision : 'no_stream';
      const byId = new Map(stream.map((event) => [event.eventId, event]));
      const decision = checkAppend(streamId, head, expected, events, (id) => byId.get(id));
      if (decision.kind === 'already_written') {
        const written = stream.find((event) => event.revision === decision.revision)!;
        return { revision: decision.revision, position: written.position, written: false };
      }
      const recordedAt = this.clock();
      const next = head === 'no_stream' ? 0 : head + 1;
      let prevHash = stream.at(-1)?.metadata.hash ?? GENESIS_HASH;
      const sealed = events.map((event, i) => {
        const recorded = chain(streamId, next + i, event, prevHash, recordedAt, this.sealer);
        prevHash = recorded.metadata.hash;
        return esdb().jsonEvent({
          id: recorded.eventId,
          type: recorded.type,
          data: recorded.data as never,
          metadata: recorded.metadata as never,
        });
      });
      try {
        const appending = this.client.appendToStream(streamId, sealed, {
          expectedRevision: head === 'no_stream' ? esdb().NO_STREAM : BigInt(head),
          deadline: this.deadlineMs,
        });
        // the client's own deadline covers the call, not its wait for the server's features first
        const result = await withinDeadline(appending, this.deadlineMs, 'append');
        return { revision: Number(result.nextExpectedRevision), position: Number(result.position?.commit ?? -1n), written: true };
      } catch (error) {
        if (error instanceof esdb().WrongExpectedVersionError) {
          // someone appended between our read and write: chain onto theirs, a bounded number of times
          if (expected === 'any' && attempt < this.maxConflictRetries) continue;
          const actual = error.actualVersion;
          throw new WrongExpectedRevision(streamId, expected, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
        }
        throw appendFailed(error);
      }
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { direction: esdb().FORWARDS, fromRevision: esdb().START });
      for await (const resolved of answering(read, this.deadlineMs, 'read a stream')) {
        if (resolved.event) events.push(toRecorded(resolved.event, resolved.commitPosition));
      }
    } catch (error) {
      if (error instanceof esdb().StreamNotFoundError) return [];
      throw unavailable('read a stream', error);
    }
    return events;
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let from: ReadPosition = afterPosition < 0 ? esdb().START : positionOf(afterPosition);
    // `$all` reads are inclusive of their start and hold system and foreign streams: page on,
    // keeping only the ledger's events after the position asked for.
    for (;;) {
      let seen = 0;
      let last: bigint | undefined;
      try {
        const read = this.client.readAll({ direction: esdb().FORWARDS, fromPosition: from, maxCount: PAGE });
        for await (const resolved of answering(read, this.deadlineMs, 'read $all')) {
          seen++;
          const event = resolved.event;
          if (!event) continue;
          last = event.position.commit;
          if (Number(last) > afterPosition && this.isLedgerStream(event.streamId)) {
            found.push(toRecorded(event, last));
            if (found.length === limit) return found;
          }
        }
      } catch (error) {
        throw unavailable('read $all', error);
      }
      if (seen < PAGE || last === undefined) return found;
      afterPosition = Math.max(afterPosition, Number(last));
      from = positionOf(Number(last));
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
    const filter = esdb().streamNameFilter({ prefixes: [...this.prefixes] });
    const done = (async () => {
      while (open) {
        this.subscription.status = this.subscription.failures ? 'resubscribing' : 'connecting';
        try {
          const subscription = this.client.subscribeToAll({ fromPosition: position < 0 ? esdb().START : positionOf(position), filter });
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

  subscriptionHealth(): SubscriptionHealth {
    return { ...this.subscription };
  }

  /** Whether the server answers a read of `$all`'s last event within the readiness deadline. */
  async ready(): Promise<boolean> {
    try {
      const read = this.client.readAll({ direction: esdb().BACKWARDS, fromPosition: esdb().END, maxCount: 1 });
      for await (const _ of answering(read, this.readyDeadlineMs, 'answer the readiness check')) void _;
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private isLedgerStream(streamId: string): boolean {
    return this.prefixes.some((prefix) => streamId.startsWith(prefix));
  }
}

const PAGE = 500;

const positionOf = (position: number) => ({ commit: BigInt(position), prepare: BigInt(position) });

function toRecorded(
  event: { streamId: string; revision: bigint; id: string; type: string; data: unknown; metadata: unknown; position?: { commit: bigint } },
  commitPosition: bigint | undefined,
): RecordedEvent {
  return {
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(commitPosition ?? event.position?.commit ?? -1n),
    eventId: event.id,
    type: event.type,
    data: event.data as object,
    metadata: event.metadata as RecordedMetadata,
  };
}

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
 * read with DeadlineExceeded, and the gRPC call is cancelled rather than left open.
 */
async function* answering<T>(read: Cancellable<T>, ms: number, what: string): AsyncGenerator<T> {
  const iterator = read[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await withinDeadline(iterator.next(), ms, what);
    } catch (error) {
      if (error instanceof DeadlineExceeded) void read.cancel?.().catch(() => undefined);
      throw error;
    }
    if (next.done) return;
    yield next.value;
  }
}

/**
 * The connection string as the client reads it: anything it would refuse at start-up (another
 * scheme such as `kurrentdb://`, a bad host, port or option) is refused here, in its words.
 */
export function parseEventStoreConnectionString(connectionString: string): { defaultDeadline?: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the client's own parser, loaded only for EventStoreDB
  const { parseConnectionString } = require('@eventstore/db-client/dist/Client/parseConnectionString') as {
    parseConnectionString(value: string): { defaultDeadline?: number };
  };
  return parseConnectionString(connectionString);
}

/**
 * An append the server refused outright wrote nothing: not the leader, access denied, too large.
 * Any other failure once the call was made (no answer within the deadline, the connection lost,
 * the server unavailable mid-call) leaves its outcome unknown: the server may have written the
 * events and the answer been lost. A retry with the same event ids settles it, since the adapter
 * then finds them in the stream.
 */
function appendFailed(error: unknown): StoreUnavailable {
  const { NotLeaderError, AccessDeniedError, MaxAppendSizeExceededError } = esdb();
  if (error instanceof NotLeaderError || error instanceof AccessDeniedError || error instanceof MaxAppendSizeExceededError)
    return unavailable('append', error);
  const reason = error instanceof Error ? error.message : String(error);
  return new OutcomeUnknown(`EventStoreDB did not confirm an append: ${reason}`, error);
}

function unavailable(what: string, error: unknown): StoreUnavailable {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailable(`EventStoreDB could not ${what}: ${reason}`, error);
}
