import { DuplicateEventId, WrongExpectedRevision, type ExpectedRevision, type NewEvent, type RecordedEvent, type StreamHead } from './port';

/**
 * The decision every adapter makes before writing, given the stream's current head: write, or
 * recognise an idempotent retry (same event ids at the end of the stream), or refuse.
 */
export function checkAppend(
  streamId: string,
  head: number | 'no_stream',
  expected: ExpectedRevision,
  events: readonly NewEvent[],
  existingById: (eventId: string) => Pick<RecordedEvent, 'streamId' | 'revision' | 'type'> | undefined,
): { kind: 'write' } | { kind: 'already_written'; revision: number } {
  refuseRepeatedIds(events);
  const first = events[0] && existingById(events[0].eventId);
  if (first) {
    const all = events.map((event) => existingById(event.eventId));
    const sameRun = all.every(
      (found, i) => found && found.streamId === streamId && found.revision === first.revision + i && found.type === events[i]!.type,
    );
    if (sameRun) return { kind: 'already_written', revision: first.revision + events.length - 1 };
    throw new DuplicateEventId(events[0]!.eventId);
  }
  const matches = expected === 'any' || (expected === 'no_stream' ? head === 'no_stream' : head === expected);
  if (!matches) throw new WrongExpectedRevision(streamId, expected, head);
  for (const event of events.slice(1)) if (existingById(event.eventId)) throw new DuplicateEventId(event.eventId);
  return { kind: 'write' };
}

/** An append that carries the same event id twice is refused whole. */
export function refuseRepeatedIds(events: readonly NewEvent[]): void {
  const twice = firstRepeatedId(events);
  if (twice !== undefined) throw new DuplicateEventId(twice);
}

/**
 * Whether an append may take the caller's head for the stream's: only when it is the head the
 * append expects (a caller's mistake otherwise, and the store looks for itself).
 */
export const headToTrust = (expected: ExpectedRevision, head: StreamHead | undefined): StreamHead | undefined =>
  head && (expected === 'no_stream' ? head.revision === -1 : head.revision === expected) ? head : undefined;

/** The first event id an append carries twice, if any. Appends are short: compared pairwise, no Set, up to 16. */
function firstRepeatedId(events: readonly NewEvent[]): string | undefined {
  if (events.length > 16) {
    const seen = new Set<string>();
    for (const { eventId } of events) {
      if (seen.has(eventId)) return eventId;
      seen.add(eventId);
    }
    return undefined;
  }
  for (let i = 1; i < events.length; i++)
    for (let j = 0; j < i; j++) if (events[j]!.eventId === events[i]!.eventId) return events[i]!.eventId;
  return undefined;
}
