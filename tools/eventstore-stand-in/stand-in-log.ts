import { randomUUID } from 'node:crypto';

export interface StoredEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  readonly position: number;
  readonly created: bigint;
}

export type ProposedEvent = Omit<StoredEvent, 'streamName' | 'revision' | 'position' | 'created'>;

/** An append's expectation as the server takes it: a revision (-1: no stream), `any` or `exists`. */
export type Expectation = number | 'any' | 'exists';

/**
 * What the server answers an append: written (or recognised as written before: the same event ids
 * already there, which a server answers as it answered the first time), or the stream is not where
 * the append expected it.
 */
export type AppendOutcome =
  | { readonly kind: 'written'; readonly revision: number; readonly position: number; readonly events: readonly StoredEvent[] }
  | { readonly kind: 'already-written'; readonly revision: number; readonly position: number }
  | { readonly kind: 'wrong-expected-version'; readonly current: number }
  | { readonly kind: 'stream-deleted' };

/**
 * The stand-in's log: every event of every stream in one order, positions as byte offsets, each
 * stream's head kept apart from its events (a truncated stream's revisions go on). Nothing is
 * persisted.
 */
export class StandInLog {
  readonly events: StoredEvent[] = [];
  private readonly heads = new Map<string, number>(); // each stream's last revision, truncation or not
  /** Streams deleted for good: never read or written again. */
  readonly tombstoned = new Set<string>();
  private nextPosition = 1_000;
  /** Where each record written starts: a read of `$all` may start only there (or at the end). */
  private readonly recordStarts = new Set<number>();
  /** `$maxCount` from each stream's metadata: reads show only its last that many events. */
  private readonly maxCounts = new Map<string, number>();

  constructor(
    private readonly onStored: (events: readonly StoredEvent[]) => void,
    /** The server's clock (ms since the epoch), which stamps each event's `created`. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** The stream's last revision, -1 when it has none. */
  head(streamName: string): number {
    return this.heads.get(streamName) ?? -1;
  }

  /**
   * An append as EventStoreDB's writer decides it (its index writer's commit check): at the expected
   * revision it writes; behind it, the same event ids right after the expected revision are the
   * same append made before (idempotent), anything else is the wrong expected version; with `any`,
   * event ids already in the stream, in order, are the same append made before.
   */
  append(streamName: string, expected: Expectation, proposed: readonly ProposedEvent[]): AppendOutcome {
    if (this.tombstoned.has(streamName)) return { kind: 'stream-deleted' };
    const current = this.head(streamName);
    const ofStream = this.events.filter((event) => event.streamName === streamName);
    const earlier = (from: number) =>
      proposed.map((event, i) => ofStream.find((stored) => stored.revision === from + i && stored.id === event.id));
    if (expected === 'exists' && current < 0) return { kind: 'wrong-expected-version', current };
    if (typeof expected === 'number' && expected !== current) {
      const found = expected < current ? earlier(expected + 1) : [];
      if (found.length && found.every((event) => event)) return alreadyWritten(found as StoredEvent[]);
      return { kind: 'wrong-expected-version', current };
    }
    if (typeof expected !== 'number') {
      const first = ofStream.find((stored) => stored.id === proposed[0]?.id);
      if (first) {
        const found = earlier(first.revision);
        if (found.every((event) => event)) return alreadyWritten(found as StoredEvent[]);
        return { kind: 'wrong-expected-version', current }; // part of it there, part not: not the same append
      }
    }
    const events = this.store(streamName, proposed);
    const last = events.at(-1)!;
    return { kind: 'written', revision: last.revision, position: last.position, events };
  }

  /** Appends on the server's own authority: no expectation, no idempotency. */
  store(streamName: string, proposed: readonly ProposedEvent[]): StoredEvent[] {
    let revision = this.head(streamName);
    const created = BigInt(Math.round(this.clock())) * 10_000n; // .NET ticks (100 ns) since the epoch, as the server sends them
    const stored = proposed.map((event) => {
      const position = this.nextPosition;
      this.recordStarts.add(position);
      this.nextPosition += 100 + event.data.length + event.customMetadata.length; // byte offsets, as a real log's
      return { ...event, streamName, revision: ++revision, position, created };
    });
    this.events.push(...stored);
    this.heads.set(streamName, revision);
    this.honourMetadata(streamName, stored);
    this.onStored(stored);
    return stored;
  }

  /**
   * Deletes a stream for good (a tombstone): it is never read or written again. As on a real server
   * (until its next scavenge: decision 0028), its events stay in `$all`, followed by the tombstone's
   * own record, `$streamDeleted`. The position is where the tombstone was written.
   */
  tombstone(streamName: string): { readonly position: number } {
    this.tombstoned.add(streamName);
    const position = this.nextPosition;
    this.recordStarts.add(position);
    this.nextPosition += 100;
    const created = BigInt(Math.round(this.clock())) * 10_000n;
    // the tombstone's revision is EventNumber.DeletedStream (long.MaxValue)
    this.events.push({
      ...jsonEvent('$streamDeleted', {}),
      data: Buffer.alloc(0),
      streamName,
      revision: Number.MAX_SAFE_INTEGER,
      position,
      created,
    });
    return { position };
  }

  /** A scavenge: the events of streams deleted for good leave the log; each tombstone's own record stays. */
  scavenge(): void {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i]!;
      if (this.tombstoned.has(event.streamName) && event.type !== '$streamDeleted') this.events.splice(i, 1);
    }
  }

  /** The stream's events a read shows: with `$maxCount` in its metadata, only the last that many (before any scavenge). */
  visible(streamName: string): StoredEvent[] {
    const events = this.events.filter((event) => event.streamName === streamName);
    const kept = this.maxCounts.get(streamName);
    return kept === undefined ? events : events.slice(Math.max(0, events.length - kept));
  }

  /**
   * Whether a read of `$all` may start at `position`: where a record starts, or the log's end. A
   * real server parses a record at exactly the byte offset given, and any other offset (inside a
   * record, past the end, a position from another log) is answered InvalidPosition.
   */
  startsRecord(position: number): boolean {
    return position === 0 || position === this.nextPosition || this.recordStarts.has(position);
  }

  /**
   * A stream's metadata (`$$<stream>`, `$metadata` events: what `setStreamMetadata` appends) with a
   * `$tb` truncates the stream before that revision. A server hides those events from reads at once
   * and drops them at its next scavenge; the stand-in drops them at once. A `$maxCount` hides all
   * but the stream's last that many from reads at once (`visible`), as a server's index reader does.
   */
  private honourMetadata(streamName: string, stored: readonly StoredEvent[]): void {
    if (!streamName.startsWith('$$')) return;
    for (const event of stored) {
      if (event.type !== '$metadata') continue;
      const { $tb: before, $maxCount: kept } = JSON.parse(Buffer.from(event.data).toString('utf8')) as {
        $tb?: unknown;
        $maxCount?: unknown;
      };
      if (typeof before === 'number') this.truncateBefore(streamName.slice(2), before);
      if (typeof kept === 'number') this.maxCounts.set(streamName.slice(2), kept);
    }
  }

  /** Removes a stream's events before `revision`, as `$tb` (truncate before) and a scavenge do; revisions go on. */
  truncateBefore(streamName: string, revision: number): void {
    for (let i = this.events.length - 1; i >= 0; i--)
      if (this.events[i]!.streamName === streamName && this.events[i]!.revision < revision) this.events.splice(i, 1);
  }
}

function alreadyWritten(found: readonly StoredEvent[]): AppendOutcome {
  const last = found.at(-1)!;
  return { kind: 'already-written', revision: last.revision, position: last.position };
}

/** A JSON event as another application (or the server itself) writes it. */
export const jsonEvent = (type: string, data: object): ProposedEvent => ({
  id: randomUUID(),
  type,
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(data)),
  customMetadata: Buffer.alloc(0),
});
