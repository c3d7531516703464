import type { EventKeyRing, EventStore, RecordedEvent } from '@complaint-ledger/event-store';
import { masterKeyId, RotationRefused, unwrapKey, wrapKey } from '@complaint-ledger/privacy';
import { verifyKeyStreams } from '../integrity/key-streams-check';
import { event, KEY_STREAM_PREFIX, type KeyEvent } from './eventstore-key-store';

export interface KeyStreamsRotated {
  /** Keys re-wrapped under the new master key now, and keys found re-wrapped already (a rotation cut short, run again). */
  readonly keys: number;
  readonly already: number;
}

/** What the key streams are checked against before anything is re-wrapped: the event keys, and where the log's authenticated events begin. */
export interface KeyStreamsExpected {
  readonly eventKeys: EventKeyRing | null;
  /** From the last verification's signed mark; null when there is none (then a stream holding no MAC is taken as written before MACs). */
  readonly authenticatedFrom: number | null;
}

type Wrap = Extract<KeyEvent, { type: 'DataKeyMade' | 'DataKeyRewrapped' }>;

/**
 * Re-wraps every live data key in EventStoreDB under a new master key (decision 0030): for each
 * `data-key-<id>` stream that still holds a key, the key re-wrapped (`DataKeyRewrapped`, bound to
 * the same resident and id) is appended at the revision read, and the stream truncated before it
 * (`$tb`), so reads return only the new wrap. A stream whose latest wrap the old key does not open
 * as its resident's, and the new key does not either, is tampering: refused before anything is
 * written. Before that, every key stream and resident's keys stream is checked as `npm run verify`
 * checks them (hashes, links, MACs, bindings, no live key deleted: key-streams-check.ts): a
 * rotation appends under the event key and truncates what came before, so without the check it
 * would sign over an event forged on the server and cut away the evidence. A key the new key opens already is only truncated again, so a rotation cut short is run
 * again with the same keys. The server keeps the old events in its chunks until a scavenge, and
 * its backups keep them: the old master key must be destroyed once every replica runs on the new.
 */
export async function rotateKeyStreams(
  store: EventStore,
  oldKey: Buffer,
  newKey: Buffer,
  expected: KeyStreamsExpected = { eventKeys: null, authenticatedFrom: null },
  say: (line: string) => void = () => undefined,
): Promise<KeyStreamsRotated> {
  const { streamsNamed, truncateBefore } = store;
  if (!streamsNamed || !truncateBefore) throw new Error('rotating keys in the store needs EventStoreDB');
  // one pass over the store's streams, for the check and the rotation alike
  const streams = await streamsNamed.call(store, '');
  // the wraps are opened below, with either key (a rotation cut short is run again): here only their streams
  const checked = await verifyKeyStreams(
    { streamsNamed: async (prefix) => streams.filter((name) => name.startsWith(prefix)), readStream: (name) => store.readStream(name) },
    { ...expected, masterKey: null },
  );
  if (checked.break) {
    const { streamId, revision, detail } = checked.break;
    throw new RotationRefused(
      `the residents' keys in the store were altered (tampering): ${streamId} at revision ${revision}: ${detail}; nothing was rotated`,
    );
  }
  const names = streams.filter((name) => name.startsWith(KEY_STREAM_PREFIX));
  // every stream read and judged first: nothing is written when any of them is altered
  const plan: { name: string; last: RecordedEvent & Wrap; key: Buffer | null }[] = [];
  for (const name of names) {
    const last = (await store.readLastEvent(name)) as (RecordedEvent & KeyEvent) | undefined;
    if (!last) continue; // erased: tombstoned
    if (last.type !== 'DataKeyMade' && last.type !== 'DataKeyRewrapped')
      throw new RotationRefused(`the key stream ${name} was altered (tampering): it ends in ${last.type}, not a key; nothing was rotated`);
    const id = name.slice(KEY_STREAM_PREFIX.length);
    const { subject, wrapped } = last.data;
    const key = unwrapKey(oldKey, Buffer.from(wrapped, 'base64'), subject, id);
    if (!key && !unwrapKey(newKey, Buffer.from(wrapped, 'base64'), subject, id))
      throw new RotationRefused(
        `the key stream ${name} was altered (tampering): its key does not open as ${JSON.stringify(subject)}'s under the old master key ` +
          `(${masterKeyId(oldKey)}) nor the new; nothing was rotated`,
      );
    plan.push({ name, last, key });
  }
  say(`${plan.length} live keys of ${names.length} key streams`);
  let keys = 0;
  for (const { name, last, key } of plan) {
    let revision = last.revision;
    if (key) {
      const { subject } = last.data;
      const wrapped = wrapKey(newKey, key, subject, name.slice(KEY_STREAM_PREFIX.length)).toString('base64');
      revision = (await store.append(name, [event('DataKeyRewrapped', { subject, wrapped })], last.revision)).revision;
      keys++;
    }
    await truncateBefore.call(store, name, revision);
  }
  return { keys, already: plan.length - keys };
}
