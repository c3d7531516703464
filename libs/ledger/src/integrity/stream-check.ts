import {
  authenticationProblem,
  CHAIN_START,
  claimsAuthentication,
  linkProblem,
  type ChainLink,
  type EventKeyRing,
  type RecordedEvent,
} from '@complaint-ledger/event-store';
import type { LedgerBreak } from './verify-ledger';

/** What one stream read from the store is checked against: the keys, where authentication began, and the link verification last saw. */
export interface StreamExpectations {
  readonly eventKeys: EventKeyRing | null;
  /** The position of the log's first authenticated event, as verification found it (null: none yet). */
  readonly authenticatedFrom: number | null;
  /** The stream's last link as the ledger's verifier saw it, if it holds one. */
  readonly known: ChainLink | null;
}

/**
 * Why what was read of one stream is not what verification covers, or null: an event whose content
 * does not match its hash, a revision or link out of place, an event that does not authenticate
 * (decision 0023), or a stream that ends before the last event verification saw in it (its last
 * event deleted, or moved away in the index). What a command decides on and what a reader is shown
 * of a complaint pass through here, so neither is ever built from events verification would refuse.
 */
export function streamProblem(
  streamId: string,
  events: readonly RecordedEvent[],
  expected: StreamExpectations,
  /** `events` are the stream's last ones, not all of it (the checkpoint's last event, read from the end): the first is taken on its own link. */
  tail = false,
): LedgerBreak | null {
  const first = events[0];
  let link = tail && first ? { revision: first.revision - 1, hash: first.metadata.prevHash } : CHAIN_START;
  let authenticated = false;
  const { eventKeys, authenticatedFrom: since, known } = expected;
  for (const event of events) {
    const at = { position: event.position, streamId: event.streamId, revision: event.revision };
    const problem = linkProblem(event, link);
    if (problem === 'content')
      return { kind: 'event-altered', ...at, detail: `revision ${event.revision}'s content does not match its hash` };
    if (problem) return { kind: 'stream-broken', ...at, detail: `revision ${event.revision} does not follow on in its stream` };
    const due = authenticated || (since !== null && event.position > since);
    // up to the last link verification saw, the MACs were checked then: the links checked here tie
    // these events to that link's hash (compared below), so only the events after it need theirs
    const seen = known !== null && event.revision <= known.revision;
    const forged = seen ? null : authenticationProblem(event, eventKeys, due);
    if (forged)
      return {
        kind: 'event-unauthenticated',
        ...at,
        detail: `revision ${event.revision} does not authenticate (${forged}): this ledger did not write it`,
      };
    authenticated ||= claimsAuthentication(event);
    link = { revision: event.revision, hash: event.metadata.hash };
  }
  if (known && known.revision > link.revision) {
    return {
      kind: 'stream-broken',
      position: events.at(-1)?.position ?? -1,
      streamId,
      revision: known.revision,
      detail: `revision ${known.revision}, verified earlier, is no longer in the stream, which now ends at revision ${link.revision}: an event was removed or moved away`,
    };
  }
  const there = known && (tail ? events.find((event) => event.revision === known.revision) : events[known.revision]);
  // a tail that starts after the link verification saw (another replica appended since) has it out of reach: its events' MACs vouch for them
  const inReach = !tail || (first !== undefined && known !== null && known.revision >= first.revision);
  if (known && known.revision >= 0 && inReach && there?.metadata.hash !== known.hash) {
    return {
      kind: 'event-altered',
      position: there?.position ?? -1,
      streamId,
      revision: known.revision,
      detail: `revision ${known.revision} is not the event verified earlier at that revision`,
    };
  }
  return null;
}
