import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type Filter,
  type ReadPosition,
} from '@eventstore/db-client';
import type { EventStoreDbClientLike } from '../../src/adapters/eventstoredb';

interface Stored {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  data: unknown;
  metadata: unknown;
  position: { commit: bigint; prepare: bigint };
}

/**
 * A stand-in for an EventStoreDB server behind `@eventstore/db-client`, so the adapter's mapping
 * runs in CI where no server can. It follows the server's documented behaviour and throws the
 * client's own error classes: optimistic concurrency by expected revision (`WrongExpectedVersion`),
 * `StreamNotFound` when reading a missing stream, `$all` reads inclusive of their start position
 * and holding system events, catch-up subscriptions exclusive of theirs and filtered server-side,
 * log positions that are byte offsets (not 0, 1, 2…). It can also fail on demand.
 */
export class FakeEventStoreDbClient implements EventStoreDbClientLike {
  private readonly log: Stored[] = [];
  private nextPosition = 1000n;
  private listeners = new Set<() => void>();
  private readonly live = new Set<{ end(error?: Error): void }>();
  /** Operations that fail once with `Unavailable`, as a dropped connection would. */
  failNext = new Set<'append' | 'read' | 'readAll'>();
  /** While true, every operation fails with `Unavailable`: the server is down. */
  down = false;
  /** Appends that happen "between" the adapter's read and its write, to exercise races. */
  beforeNextAppend?: () => Promise<unknown>;

  constructor() {
    this.write('$$$settings', '$settings', {}); // the server's own events live in $all too
  }

  async appendToStream(streamName: string, events: EventData[], options: { expectedRevision: AppendExpectedRevision }) {
    if (this.down || this.failNext.delete('append')) throw new UnavailableError();
    const interloper = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    await interloper?.();
    const current = this.head(streamName);
    const expected = options.expectedRevision;
    const ok =
      expected === ANY ||
      (expected === NO_STREAM && current === NO_STREAM) ||
      (expected === STREAM_EXISTS && current !== NO_STREAM) ||
      (typeof expected === 'bigint' && expected === current);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    let last: Stored | undefined;
    for (const event of events) last = this.write(streamName, event.type, event.data, event.metadata, event.id);
    this.write('$stats-127.0.0.1:2113', '$statsCollected', {}); // and keep writing them
    for (const notify of this.listeners) notify();
    return { success: true, nextExpectedRevision: last!.revision, position: last!.position };
  }

  async *readStream(streamName: string) {
    if (this.down || this.failNext.delete('read')) throw new UnavailableError();
    const events = this.log.filter((e) => e.streamId === streamName);
    if (!events.length) throw new StreamNotFoundError(undefined, streamName);
    for (const event of events) yield { event: this.recorded(event), commitPosition: event.position.commit };
  }

  async *readAll(options: { direction: 'forwards' | 'backwards'; fromPosition: ReadPosition; maxCount: number }) {
    if (this.down || this.failNext.delete('readAll')) throw new UnavailableError();
    const ordered = options.direction === 'forwards' ? this.log : [...this.log].reverse();
    const from = options.fromPosition;
    const included = ordered.filter(
      (e) =>
        typeof from === 'string' ||
        (options.direction === 'forwards' ? e.position.commit >= from.commit : e.position.commit <= from.commit),
    );
    for (const event of included.slice(0, options.maxCount)) yield this.resolved(event);
  }

  subscribeToAll(options: { fromPosition: ReadPosition; filter: Filter }) {
    const matches = (e: Stored) =>
      'prefixes' in options.filter
        ? options.filter.prefixes.some((p) => e.streamId.startsWith(p))
        : new RegExp(options.filter.regex).test(e.streamId);
    let after = options.fromPosition === START ? -1n : (options.fromPosition as { commit: bigint }).commit;
    let ended: Error | null | undefined;
    let wake: (() => void) | undefined;
    const control = {
      end: (error?: Error) => {
        ended = error ?? null;
        wake?.();
      },
    };
    const notify = () => wake?.();
    this.live.add(control);
    this.listeners.add(notify);
    const cleanup = () => {
      this.live.delete(control);
      this.listeners.delete(notify);
    };
    const log = this.log;
    const events = async function* (): AsyncGenerator<AllStreamResolvedEvent> {
      try {
        for (;;) {
          const next = log.find((e) => e.position.commit > after && matches(e));
          if (ended === null) return;
          if (ended) throw ended;
          if (next) {
            after = next.position.commit;
            yield { event: { ...next, isJson: true, created: new Date(0) } as never, commitPosition: next.position.commit };
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        cleanup();
      }
    };
    return Object.assign(events(), { unsubscribe: async () => control.end() });
  }

  async dispose() {
    for (const subscription of this.live) subscription.end();
  }

  /** Drops every live subscription, as a server restart would. */
  dropSubscriptions() {
    for (const subscription of this.live) subscription.end(new UnavailableError());
  }

  private head(streamName: string): bigint | typeof NO_STREAM {
    const last = this.log.findLast((e) => e.streamId === streamName);
    return last ? last.revision : NO_STREAM;
  }

  private write(streamId: string, type: string, data: unknown, metadata: unknown = {}, id: string = crypto.randomUUID()): Stored {
    const current = this.head(streamId);
    const revision = current === NO_STREAM ? 0n : current + 1n;
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    this.nextPosition += 173n; // positions are byte offsets in the transaction file
    const stored = { streamId, id, type, revision, data: structuredClone(data), metadata: structuredClone(metadata), position };
    this.log.push(stored);
    return stored;
  }

  private recorded(event: Stored) {
    return { ...event, isJson: true as const, created: new Date(0) } as never;
  }

  private resolved(event: Stored): AllStreamResolvedEvent {
    return { event: this.recorded(event), commitPosition: event.position.commit };
  }
}
