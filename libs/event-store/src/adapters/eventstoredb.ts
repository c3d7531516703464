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
import {
  StoreUnavailable,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type RecordedMetadata,
  type Subscription,
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
  appendToStream(streamName: string, events: EventData[], options: { expectedRevision: AppendExpectedRevision }): Promise<EsdbAppendResult>;
  readStream(
    streamName: string,
    options: { direction: typeof EventStoreDb.FORWARDS; fromRevision: typeof EventStoreDb.START },
  ): AsyncIterable<ResolvedEvent>;
  readAll(options: {
    direction: typeof EventStoreDb.FORWARDS | typeof EventStoreDb.BACKWARDS;
    fromPosition: ReadPosition;
    maxCount: number;
  }): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: { fromPosition: ReadPosition; filter: Filter }): AsyncIterable<AllStreamResolvedEvent> & {
    unsubscribe(): Promise<void>;
  };
  dispose(): Promise<void>;
}

export interface EventStoreDbOptions {
  /** Streams that belong to the ledger; `$all` reads and subscriptions see only these. */
  readonly streamPrefixes?: readonly string[];
  readonly clock?: () => string;
  /** Pause before a dropped subscription resubscribes from where it stopped. */
  readonly resubscribeDelayMs?: number;
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

  constructor(
    private readonly client: EventStoreDbClientLike,
    options: EventStoreDbOptions = {},
  ) {
    this.prefixes = options.streamPrefixes ?? ['complaint-', 'ledger-']; // complaints, and the ledger's own (its checkpoints)
    this.clock = options.clock ?? (() => new Date().toISOString());
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 1000;
  }

  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(esdb().EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    for (;;) {
      const stream = await this.readStream(streamId);
      const head = stream.length ? stream.length - 1 : 'no_stream';
      const byId = new Map(stream.map((event) => [event.eventId, event]));
      const decision = checkAppend(streamId, head, expected, events, (id) => byId.get(id));
      if (decision.kind === 'already_written') {
        return { revision: decision.revision, position: stream[decision.revision]!.position, written: false };
      }
      const recordedAt = this.clock();
      let prevHash = stream.at(-1)?.metadata.hash ?? GENESIS_HASH;
      const sealed = events.map((event, i) => {
        const recorded = chain(streamId, stream.length + i, event, prevHash, recordedAt);
        prevHash = recorded.metadata.hash;
        return esdb().jsonEvent({
          id: recorded.eventId,
          type: recorded.type,
          data: recorded.data as never,
          metadata: recorded.metadata as never,
        });
      });
      try {
        const result = await this.client.appendToStream(streamId, sealed, {
          expectedRevision: head === 'no_stream' ? esdb().NO_STREAM : BigInt(head),
        });
        return { revision: Number(result.nextExpectedRevision), position: Number(result.position?.commit ?? -1n), written: true };
      } catch (error) {
        if (error instanceof esdb().WrongExpectedVersionError) {
          if (expected === 'any') continue; // someone appended between our read and write: chain onto theirs
          const actual = error.actualVersion;
          throw new WrongExpectedRevision(streamId, expected, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
        }
        throw unavailable('append', error);
      }
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: esdb().FORWARDS, fromRevision: esdb().START })) {
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
        for await (const resolved of this.client.readAll({ direction: esdb().FORWARDS, fromPosition: from, maxCount: PAGE })) {
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

  subscribe(afterPosition: number, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    let open = true;
    let position = afterPosition;
    let current: { unsubscribe(): Promise<void> } | undefined;
    const filter = esdb().streamNameFilter({ prefixes: [...this.prefixes] });
    const done = (async () => {
      while (open) {
        try {
          const subscription = this.client.subscribeToAll({ fromPosition: position < 0 ? esdb().START : positionOf(position), filter });
          current = subscription;
          for await (const resolved of subscription) {
            if (!open) break;
            const event = resolved.event;
            // Subscriptions start after their position, but a resubscription must never repeat one.
            if (!event || Number(event.position.commit) <= position || !this.isLedgerStream(event.streamId)) continue;
            await handler(toRecorded(event, event.position.commit));
            position = Number(event.position.commit);
          }
        } catch {
          // dropped (server restart, leader change): resubscribe from the last delivered position
        }
        if (open) await new Promise((resolve) => setTimeout(resolve, this.resubscribeDelayMs));
      }
    })();
    return {
      async close() {
        open = false;
        await current?.unsubscribe().catch(() => undefined);
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 50))]);
      },
    };
  }

  async ready(): Promise<boolean> {
    try {
      for await (const _ of this.client.readAll({ direction: esdb().BACKWARDS, fromPosition: esdb().END, maxCount: 1 })) void _;
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

function unavailable(what: string, error: unknown): StoreUnavailable {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailable(`EventStoreDB could not ${what}: ${reason}`, error);
}
