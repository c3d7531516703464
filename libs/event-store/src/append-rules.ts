import { DuplicateEventId, WrongExpectedRevision, type ExpectedRevision, type NewEvent, type RecordedEvent } from './port';

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
  const ids = new Set<string>();
  for (const event of events) {
    if (ids.has(event.eventId)) throw new DuplicateEventId(event.eventId); // the same id twice in one append
    ids.add(event.eventId);
  }
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
