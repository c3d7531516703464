import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authenticationOf,
  chain,
  EventKeyRing,
  eventKeyOf,
  GENESIS_HASH,
  hashEvent,
  sealerOf,
  sealJson,
  verifyChain,
  type EventKey,
  type NewEvent,
  type RecordedEvent,
} from '../src';

/**
 * Authenticated events (decision 0023): a MAC under a key the database does not hold, over the
 * event's own hash; the key's id under the hash, so stripping the MAC shows. Events written before
 * keys (naming none) are accepted only ahead of a stream's first authenticated event.
 */
const key = eventKeyOf(Buffer.alloc(32, 1));
const other = eventKeyOf(Buffer.alloc(32, 2));
const ring = new EventKeyRing([key]);
const event = (n: number): NewEvent => ({
  eventId: `00000000-0000-4000-8000-00000000000${n}`,
  type: 'CorrespondenceRecorded',
  data: { summary: `letter ${n}` },
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'api-key:case-system', correlationId: 'c', schemaVersion: 1 },
});

/** A stream of `count` events sealed by `keyFor(revision)` (null: unauthenticated, as written before keys). */
function streamOf(count: number, keyFor: (revision: number) => EventKey | null): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < count; revision++) {
    const signer = keyFor(revision);
    const sealed = chain('complaint-1', revision, event(revision), prevHash, '2024-05-01T09:00:01.000Z', signer && sealerOf(signer));
    events.push({ ...sealed, position: revision });
    prevHash = sealed.metadata.hash;
  }
  return events;
}

/** What an attacker without the key can do: rewrite the event and recompute its hash (and the chain after it). */
function rewritten(events: RecordedEvent[], at: number, change: (event: RecordedEvent) => RecordedEvent): RecordedEvent[] {
  let prevHash = at ? events[at - 1]!.metadata.hash : GENESIS_HASH;
  return events.map((original, revision) => {
    if (revision < at) return original;
    const changed = revision === at ? change(original) : original;
    const { hash: _hash, mac, ...metadata } = { ...changed.metadata, prevHash };
    const hash = hashEvent({ ...changed, metadata });
    prevHash = hash;
    return { ...changed, metadata: { ...metadata, hash, ...(mac ? { mac } : {}) } };
  });
}

describe('an authenticated stream', () => {
  const events = streamOf(3, () => key);

  it('verifies with the key, and without it as far as can be checked', () => {
    expect(events.map((e) => authenticationOf(e, ring))).toEqual(['authenticated', 'authenticated', 'authenticated']);
    expect(verifyChain(events, ring)).toMatchObject({ valid: true, events: 3 });
    expect(verifyChain(events)).toMatchObject({ valid: true });
  });

  it('refuses an event whose content was rewritten with its hash recomputed: the MAC is not over the new hash', () => {
    const forged = rewritten(events, 1, (e) => ({ ...e, data: { summary: 'nothing happened' } }));
    expect(verifyChain(forged)).toMatchObject({ valid: true }); // hashes alone cannot tell
    expect(verifyChain(forged, ring)).toMatchObject({ valid: false, firstInvalidRevision: 1, problem: 'bad-mac' });
  });

  it('refuses an event with its MAC and key stripped after an authenticated one, even without the key', () => {
    const stripped = rewritten(events, 2, (e) => {
      const { macKeyId: _id, mac: _mac, ...metadata } = e.metadata;
      return { ...e, metadata };
    });
    expect(verifyChain(stripped)).toMatchObject({ valid: false, firstInvalidRevision: 2, problem: 'unauthenticated' });
    expect(verifyChain(stripped, ring)).toMatchObject({ valid: false, firstInvalidRevision: 2, problem: 'unauthenticated' });
  });

  it('refuses an event appended under another key, or naming a key with a made-up MAC', () => {
    const theirs = streamOf(3, (revision) => (revision === 2 ? other : key));
    expect(verifyChain(theirs, ring)).toMatchObject({ valid: false, firstInvalidRevision: 2, problem: 'unknown-key' });
    const madeUp = rewritten(events, 2, (e) => ({ ...e, metadata: { ...e.metadata, mac: randomBytes(32).toString('base64url') } }));
    expect(verifyChain(madeUp, ring)).toMatchObject({ valid: false, firstInvalidRevision: 2, problem: 'bad-mac' });
  });
});

describe('events written before keys', () => {
  it('are accepted ahead of the first authenticated event, and refused after it', () => {
    const upgraded = streamOf(4, (revision) => (revision >= 2 ? key : null));
    expect(verifyChain(upgraded, ring)).toMatchObject({ valid: true, events: 4 });
    const unauthenticatedAfter = streamOf(4, (revision) => (revision === 1 ? key : null));
    expect(verifyChain(unauthenticatedAfter, ring)).toMatchObject({ valid: false, firstInvalidRevision: 2, problem: 'unauthenticated' });
  });
});

describe('sealJson (the SQLite store) authenticates exactly as chain does', () => {
  it('stores the key id under the hash and the MAC after it', () => {
    const sealed = sealJson('complaint-1', 0, event(0), GENESIS_HASH, '2024-05-01T09:00:01.000Z', sealerOf(key));
    const expected = chain('complaint-1', 0, event(0), GENESIS_HASH, '2024-05-01T09:00:01.000Z', sealerOf(key));
    expect(sealed.hash).toBe(expected.metadata.hash);
    expect(JSON.parse(sealed.metadata)).toEqual(expected.metadata);
    expect(authenticationOf({ metadata: JSON.parse(sealed.metadata) }, ring)).toBe('authenticated');
  });
});

describe('a key ring file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'event-keys-'));
  const file = (text: string) => {
    const path = join(folder, `keys-${randomBytes(4).toString('hex')}`);
    writeFileSync(path, text);
    return path;
  };

  it('writes with its last key and verifies with every key (rotation), ids derived from the keys', () => {
    const loaded = EventKeyRing.fromFile(file(`# old\n${key.secret.toString('base64')}\n${other.secret.toString('base64')} # current\n`));
    expect(loaded.current.id).toBe(other.id);
    expect(loaded.ids).toEqual([key.id, other.id]);
    expect(
      verifyChain(
        streamOf(2, (revision) => (revision ? other : key)),
        loaded,
      ),
    ).toMatchObject({ valid: true });
  });

  it('refuses a line that is not 32 bytes in base64, naming the line, and a file with no key', () => {
    expect(() => EventKeyRing.fromFile(file(`${key.secret.toString('base64')}\nnot-a-key\n`))).toThrow(/line 2/);
    expect(() => EventKeyRing.fromFile(file('# nothing\n'))).toThrow(/no event key/);
  });
});
