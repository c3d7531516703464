import { checkAppend } from '../append-rules';
import { chain, GENESIS_HASH } from '../hash-chain';
import { sealerOf, type EventKey, type EventSealer } from '../event-mac';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, RecordedEvent, Subscription } from '../port';
import { CommitSignal, positionalSubscription } from '../subscription';

/** For unit tests: the port's semantics, in memory, with an injectable clock. */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly commits = new CommitSignal();

  private readonly sealer: EventSealer | null;

  constructor(
    private readonly clock: () => string = () => new Date().toISOString(),
    /** Authenticates each event written (decision 0023). */
    eventKey: EventKey | null = null,
  ) {
    this.sealer = eventKey ? sealerOf(eventKey) : null;
  }

  /** The head is at hand: an `expectedHead` is not needed. */
  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const head = stream.length ? stream.length - 1 : 'no_stream';
    const decision = checkAppend(streamId, head, expected, events, (id) => this.byId.get(id));
    if (decision.kind === 'already_written') {
      return { revision: decision.revision, position: stream[decision.revision]!.position, written: false };
    }
    const recordedAt = this.clock();
    let prevHash = stream.at(-1)?.metadata.hash ?? GENESIS_HASH;
    for (const event of events) {
      const recorded = { ...chain(streamId, stream.length, event, prevHash, recordedAt, this.sealer), position: this.log.length };
      stream.push(recorded);
      this.log.push(recorded);
      this.byId.set(recorded.eventId, recorded);
      prevHash = recorded.metadata.hash;
    }
    this.streams.set(streamId, stream);
    this.commits.fire();
    return { revision: stream.length - 1, position: this.log.length - 1, written: true };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return [...(this.streams.get(streamId) ?? [])];
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    return this.streams.get(streamId)?.at(-1);
  }

  async readAt(position: number): Promise<RecordedEvent | undefined> {
    const [next] = await this.readAll(position - 1, 1); // positions here are whole numbers: the first after the one before
    return next?.position === position ? next : undefined;
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    return this.log.slice(afterPosition + 1, afterPosition + 1 + limit);
  }

  subscribe(afterPosition: number, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    return positionalSubscription(
      afterPosition,
      (after, limit) => this.readAll(after, limit),
      () => this.commits.next(),
      handler,
    );
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.commits.fire();
  }
}
