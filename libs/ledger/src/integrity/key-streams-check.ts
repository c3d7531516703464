import type { EventKeyRing, RecordedEvent } from '@complaint-ledger/event-store';
import { unwrapKey } from '@complaint-ledger/privacy';
import { KEY_STREAM_PREFIX, keyStream, RESIDENT_KEYS_PREFIX, residentKeysStream, type KeyEvent } from '../keys/eventstore-key-store';
import { streamProblem } from './stream-check';
import type { LedgerBreak } from './verify-ledger';

/** What `npm run verify` found of the residents' keys kept in EventStoreDB. */
export interface KeyStreamsChecked {
  readonly keyStreams: number;
  readonly residents: number;
  /** Whether each key's wrap was opened (the master key given): else only its binding by name was compared. */
  readonly wrapsOpened: boolean;
  readonly break: LedgerBreak | null;
}

export interface KeyStreamsSource {
  /** The names of the streams outside the ledger's record (EventStoreDbEventStore.streamsNamed). */
  streamsNamed(prefix: string): Promise<string[]>;
  readStream(streamId: string): Promise<RecordedEvent[]>;
}

/**
 * The residents' keys in EventStoreDB (decision 0028), checked beside the log as the service checks
 * each stream it reads: every key stream and every resident's keys stream is as the ledger wrote it
 * (hashes, links and, with the event keys, MACs: stream-check.ts); every key a resident's stream
 * names, while it is there, is bound to that resident; and, with the master key, every key opens
 * as the key of the resident it is bound to. A key stream is read from where the last master-key
 * rotation truncated it, so its events are checked as a stream's last ones. A key whose stream is
 * gone must have been erased: one its resident's stream gives them and never erased was deleted.
 */
export async function verifyKeyStreams(
  source: KeyStreamsSource,
  checks: { readonly eventKeys: EventKeyRing | null; readonly authenticatedFrom: number | null; readonly masterKey: Buffer | null },
): Promise<KeyStreamsChecked> {
  const names = await source.streamsNamed('');
  const keyNames = names.filter((name) => name.startsWith(KEY_STREAM_PREFIX));
  const residentNames = names.filter((name) => name.startsWith(RESIDENT_KEYS_PREFIX));
  const expectations = { eventKeys: checks.eventKeys, authenticatedFrom: checks.authenticatedFrom, known: null };
  const found = (found: LedgerBreak | null): KeyStreamsChecked => ({
    keyStreams: keyNames.length,
    residents: residentNames.length,
    wrapsOpened: checks.masterKey !== null,
    break: found,
  });
  // each live key's resident, by id
  const subjects = new Map<string, string>();
  for (const name of keyNames) {
    const events = (await source.readStream(name)) as (RecordedEvent & KeyEvent)[];
    const problem = streamProblem(name, events, expectations, true);
    if (problem) return found(problem);
    const last = events.at(-1);
    if (!last) continue; // erased: deleted for good
    if (last.type !== 'DataKeyMade' && last.type !== 'DataKeyRewrapped') return found(altered(last, `it ends in ${last.type}, not a key`));
    const id = name.slice(KEY_STREAM_PREFIX.length);
    const { subject, wrapped } = last.data;
    if (checks.masterKey && !unwrapKey(checks.masterKey, Buffer.from(wrapped, 'base64'), subject, id))
      return found(altered(last, `key ${id} does not open as ${JSON.stringify(subject)}'s: its stream was rewritten`));
    subjects.set(id, subject);
  }
  for (const name of residentNames) {
    const events = (await source.readStream(name)) as (RecordedEvent & KeyEvent)[];
    const problem = streamProblem(name, events, expectations);
    if (problem) return found(problem);
    const live = new Map<string, RecordedEvent>();
    for (const event of events) {
      if (event.type === 'ResidentKeysErased') live.clear();
      if (event.type !== 'KeyAssigned') continue;
      live.set(event.data.keyId, event);
      const subject = subjects.get(event.data.keyId);
      if (subject !== undefined && residentKeysStream(subject) !== name)
        return found(altered(event, `key ${event.data.keyId} of ${JSON.stringify(subject)} is assigned in another resident's stream`));
    }
    // an erasure records itself before it deletes the keys: a key given and never erased that is gone was deleted behind the ledger's back
    for (const [id, assigned] of live) {
      if (subjects.has(id) || (await source.readStream(keyStream(id))).length) continue; // (one made since the key streams were read)
      return found(altered(assigned, `key ${id}, given in this stream and never erased, is gone from the store: its stream was deleted`));
    }
  }
  return found(null);
}

const altered = (event: RecordedEvent, detail: string): LedgerBreak => ({
  kind: 'key-store-altered',
  position: event.position,
  streamId: event.streamId,
  revision: event.revision,
  detail,
});
