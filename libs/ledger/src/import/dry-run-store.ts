import {
  DuplicateEventId,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@complaint-ledger/event-store';
import type { Clock } from '../clock';

/**
 * What a dry run decides against: each complaint it touches read from the ledger's log once, and
 * what the run would append kept here, in memory, never written. The dry run goes through a
 * WritePath of its own over this store, so it decides with the same decider, the same retry
 * recognition (a fact already recorded is skipped) and the same refusals as the real run; only the
 * append is make-believe. A complaint is forgotten once its rows are decided, so memory holds only
 * the complaints in progress.
 */
export class DryRunStore implements Pick<EventStore, 'append' | 'readStream'> {
  private readonly streams = new Map<string, RecordedEvent[]>();

  constructor(
    private readonly log: Pick<EventStore, 'readStream'>,
    private readonly clock: Clock,
  ) {}

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    let events = this.streams.get(streamId);
    if (!events) {
      events = await this.log.readStream(streamId);
      this.streams.set(streamId, events);
    }
    return [...events];
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = await this.readStream(streamId);
    const ids = new Set(stream.map((event) => event.eventId));
    if (events.length && events.every((event) => ids.has(event.eventId)))
      return { revision: stream.length - 1, position: -1, written: false };
    const found = events.find((event) => ids.has(event.eventId));
    if (found) throw new DuplicateEventId(found.eventId);
    const actual = stream.length ? stream.length - 1 : 'no_stream';
    if (expected !== 'any' && expected !== actual) throw new WrongExpectedRevision(streamId, expected, actual);
    const recordedAt = this.clock();
    const appended = events.map((event, index): RecordedEvent => ({
      streamId,
      revision: stream.length + index,
      position: -1,
      eventId: event.eventId,
      type: event.type,
      data: event.data,
      metadata: { ...event.metadata, recordedAt, prevHash: '', hash: '' },
    }));
    this.streams.set(streamId, [...stream, ...appended]);
    return { revision: stream.length + appended.length - 1, position: -1, written: true };
  }

  /** The complaint's rows are decided: its stream is no longer kept. */
  forget(streamId: string): void {
    this.streams.delete(streamId);
  }
}
