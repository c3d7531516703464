import {
  EventKeyRing,
  eventKeyOf,
  EventStoreDbEventStore,
  StoreUnavailable,
  WrongExpectedRevision,
  type NewEvent,
} from '@complaint-ledger/event-store';
import { DataKeyStore, KeyStoreAltered, RotationRefused } from '@complaint-ledger/privacy';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EventStoreKeyStore, keyStream, residentKeysStream } from '../src/keys/eventstore-key-store';
import { moveKeyFileIntoStore } from '../src/keys/key-file-move';
import { rotateKeyStreams } from '../src/keys/key-stream-rotation';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { keyStoreContract } from './key-store-contract';

/**
 * Residents' data keys (decision 0028): one contract for the SQLite file (one host) and for
 * EventStoreDB (every replica), the latter through a real client against the repository's stand-in.
 */
const MASTER = Buffer.alloc(32, 4);
const NOW = '2024-05-01T10:00:00.000Z';
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const closing of opened.splice(0).reverse()) await closing.close();
});

describe('in a SQLite file', () => {
  let path = '';
  beforeEach(() => (path = join(mkdtempSync(join(tmpdir(), 'ledger-keys-')), 'keys.sqlite')));
  keyStoreContract(() => {
    const keys = new DataKeyStore(path, MASTER);
    opened.push(keys);
    return keys;
  });
});

describe('in EventStoreDB', () => {
  let server: EventStoreDbStandIn;
  beforeEach(async () => {
    server = await EventStoreDbStandIn.start();
    opened.push({ close: () => server.stop() });
  });
  const storeOn = () => {
    const store = EventStoreDbEventStore.connect(server.connectionString, { logger: { warn: () => undefined } });
    opened.push(store);
    return store;
  };
  /** A replica's key store; remembering nothing (`cacheMs` 0), so each load asks the server, unless told. */
  const replica = (cacheMs = 0, now?: () => number) => new EventStoreKeyStore(storeOn(), MASTER, cacheMs, now);

  keyStoreContract(() => replica());

  const eventsOf = (stream: string) => server.log.events.filter((event) => event.streamName === stream);

  it("keeps a key in a stream of its own, wrapped and bound to its resident, and the resident's keys under a hash of the reference", async () => {
    const keys = replica();
    await keys.loadSubject('RES-9');
    const { id, key } = keys.keyFor('RES-9', NOW);
    await keys.durable();
    const [made] = eventsOf(keyStream(id));
    const data = JSON.parse(Buffer.from(made!.data).toString()) as { subject: string; wrapped: string };
    expect(data.subject).toBe('RES-9');
    expect(Buffer.from(data.wrapped, 'base64').includes(key)).toBe(false); // wrapped, not in clear
    expect(residentKeysStream('RES-9')).toMatch(/^resident-keys-[0-9a-f]{64}$/);
    expect(eventsOf(residentKeysStream('RES-9')).map((event) => event.type)).toEqual(['KeyAssigned']);
    // outside the ledger's record: its reads of $all pass over them
    expect(await storeOn().readAll(-1, 100)).toEqual([]);
  });

  it('a key is durable only once the server has acknowledged it: refused, the command waits in vain and readiness says so', async () => {
    const keys = replica();
    await keys.loadSubject('RES-REFUSED');
    server.mode = 'refusing';
    keys.keyFor('RES-REFUSED', NOW);
    await expect(keys.durable()).rejects.toBeInstanceOf(StoreUnavailable);
    expect(keys.failure()).toBeInstanceOf(StoreUnavailable);
    server.mode = 'serving';
    await keys.loadSubject('RES-REFUSED');
    const again = keys.keyFor('RES-REFUSED', NOW); // the refused key was forgotten: a new one, written this time
    await keys.durable();
    expect(keys.failure()).toBeNull();
    expect(eventsOf(residentKeysStream('RES-REFUSED')).length).toBe(1);
    expect(eventsOf(keyStream(again.id)).length).toBe(1);
  });

  it('two replicas giving a new resident a key at once end with one: the second is told to decide again, and then uses the first', async () => {
    const [a, b] = [replica(), replica()];
    await Promise.all([a.loadSubject('RES-RACE'), b.loadSubject('RES-RACE')]);
    const [fromA, fromB] = [a.keyFor('RES-RACE', NOW), b.keyFor('RES-RACE', NOW)];
    expect(fromA.id).not.toBe(fromB.id);
    const outcomes = await Promise.allSettled([a.durable(), b.durable()]);
    const lost = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes[lost] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision); // the decision loop's to retry
    const [winner, loser] = lost === 1 ? [fromA, b] : [fromB, a];
    await loser.loadSubject('RES-RACE');
    expect(loser.keyFor('RES-RACE', NOW)).toEqual(winner);
    expect(eventsOf(residentKeysStream('RES-RACE')).map((event) => event.type)).toEqual(['KeyAssigned']);
  });

  it("erasure deletes every key stream of the resident for good (the server's tombstone), after recording it", async () => {
    const keys = replica();
    await keys.loadSubject('RES-SHRED');
    const { id } = keys.keyFor('RES-SHRED', NOW);
    await keys.durable();
    await keys.erase('RES-SHRED', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request');
    expect(server.log.tombstoned.has(keyStream(id))).toBe(true);
    server.log.scavenge(); // until the server's next scavenge its chunk files keep them (decision 0028)
    expect(eventsOf(keyStream(id)).filter((event) => event.type !== '$streamDeleted')).toEqual([]);
    const recorded = eventsOf(residentKeysStream('RES-SHRED')).map((event) => [event.type, JSON.parse(Buffer.from(event.data).toString())]);
    expect(recorded).toEqual([
      ['KeyAssigned', { keyId: id, at: NOW }],
      ['ResidentKeysErased', { erasedAt: '2024-06-01T00:00:00.000Z', actor: 'api-key:admin', reason: 'request', keyIds: [id] }],
    ]);
  });

  it('another replica forgets a key it remembered once the cache time has passed: the bound on an erasure elsewhere', async () => {
    let clock = 0;
    const [a, b] = [replica(), replica(5_000, () => clock)];
    await a.loadSubject('RES-TTL');
    const { id, key } = a.keyFor('RES-TTL', NOW);
    await a.durable();
    await b.load([id]);
    expect(b.find(id)).toEqual(key);
    await a.erase('RES-TTL', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request');
    clock = 4_999;
    await b.load([id]);
    expect(b.find(id)).toEqual(key); // still remembered: within the bound
    clock = 5_000;
    await b.load([id]);
    expect(b.find(id)).toBeNull();
  });

  it('a replica sealing under a key it remembers asks the store first: after an erasure through another, new personal data goes under a new key', async () => {
    const [a, b] = [replica(), replica(60_000)];
    await b.loadSubject('RES-AFTER');
    const before = b.keyFor('RES-AFTER', NOW);
    await b.durable();
    await a.erase('RES-AFTER', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request');

    await b.loadSubject('RES-AFTER'); // well within what it remembers for
    const after = b.keyFor('RES-AFTER', '2024-06-02T00:00:00.000Z');
    await b.durable();

    expect(after.id).not.toBe(before.id);
    const reader = replica();
    await reader.load([after.id, before.id]);
    expect(reader.find(after.id)).toEqual(after.key); // readable by every replica
    expect(reader.find(before.id)).toBeNull(); // the erased one stays erased
  });

  describe('a master-key rotation (decision 0030)', () => {
    const NEW_MASTER = Buffer.alloc(32, 5);

    it('cut short after the re-wrap (the stream not yet truncated), the key reads as its latest wrap under the new key; run again, it finishes', async () => {
      const keys = replica();
      await keys.loadSubject('RES-ROT');
      const { id, key } = keys.keyFor('RES-ROT', NOW);
      await keys.durable();
      const store = storeOn();
      const cutShort = Object.assign(Object.create(store) as typeof store, {
        truncateBefore: () => Promise.reject(new Error('the process was stopped')),
      });
      await expect(rotateKeyStreams(cutShort, MASTER, NEW_MASTER)).rejects.toThrow('the process was stopped');
      expect(eventsOf(keyStream(id)).map((event) => event.type)).toEqual(['DataKeyMade', 'DataKeyRewrapped']);
      const rotated = new EventStoreKeyStore(storeOn(), NEW_MASTER, 0);
      await rotated.load([id]);
      expect(rotated.find(id)).toEqual(key);
      expect(rotated.alteration).toBeNull();

      expect(await rotateKeyStreams(store, MASTER, NEW_MASTER)).toEqual({ keys: 0, already: 1 });
      expect(eventsOf(keyStream(id)).map((event) => event.type)).toEqual(['DataKeyRewrapped']);
    });

    it('a key stream that opens under neither key is tampering: refused, and nothing is written', async () => {
      const keys = replica();
      await keys.loadSubject('RES-ROT-A');
      const a = keys.keyFor('RES-ROT-A', NOW);
      await keys.durable();
      const stranger = new EventStoreKeyStore(storeOn(), Buffer.alloc(32, 6), 0);
      await stranger.loadSubject('RES-ROT-B');
      stranger.keyFor('RES-ROT-B', NOW);
      await stranger.durable();
      const before = server.log.events.length;
      await expect(rotateKeyStreams(storeOn(), MASTER, NEW_MASTER)).rejects.toThrow(RotationRefused);
      await expect(rotateKeyStreams(storeOn(), MASTER, NEW_MASTER)).rejects.toThrow(/was altered \(tampering\).*nothing was rotated/);
      expect(server.log.events.length).toBe(before);
      expect(eventsOf(keyStream(a.id)).map((event) => event.type)).toEqual(['DataKeyMade']);
    });

    describe('the key streams are checked first, as verify checks them: a rotation signs nothing forged and cuts away no evidence', () => {
      const secret = randomBytes(32);
      const eventKeys = new EventKeyRing([eventKeyOf(secret)]);
      /** A replica writing under the event key, as the service does with LEDGER_EVENT_KEY_FILE. */
      const signed = () => {
        const store = EventStoreDbEventStore.connect(server.connectionString, {
          logger: { warn: () => undefined },
          eventKey: eventKeyOf(secret),
        });
        opened.push(store);
        return new EventStoreKeyStore(store, MASTER, 0);
      };
      const keyOf = async (subject: string) => {
        const keys = signed();
        await keys.loadSubject(subject);
        const made = keys.keyFor(subject, NOW);
        await keys.durable();
        return made;
      };

      it('a wrap appended on the server without the event key (a copy of the real one) is refused, not re-wrapped and truncated away', async () => {
        const { id } = await keyOf('RES-LAUNDER');
        const [made] = await storeOn().readStream(keyStream(id));
        const copy: NewEvent = {
          eventId: randomUUID(),
          type: 'DataKeyRewrapped',
          data: made!.data,
          metadata: { occurredAt: NOW, actor: 'intruder', correlationId: randomUUID(), schemaVersion: 1 },
        };
        await storeOn().append(keyStream(id), [copy], made!.revision); // the intruder: no event key
        const before = server.log.events.length;

        const rotating = rotateKeyStreams(storeOn(), MASTER, NEW_MASTER, { eventKeys, authenticatedFrom: null });

        await expect(rotating).rejects.toThrow(RotationRefused);
        await expect(rotating).rejects.toThrow(
          /keys in the store were altered \(tampering\).*revision 1.*does not authenticate.*nothing was rotated/,
        );
        expect(server.log.events.length).toBe(before);
        expect(eventsOf(keyStream(id)).map((event) => event.type)).toEqual(['DataKeyMade', 'DataKeyRewrapped']);
      });

      it('a live key deleted on the server, its resident never erased, is refused rather than passed over as erased', async () => {
        const { id } = await keyOf('RES-DELETED');
        await keyOf('RES-KEPT');
        await storeOn().tombstone(keyStream(id));
        const before = server.log.events.length;

        const rotating = rotateKeyStreams(storeOn(), MASTER, NEW_MASTER, { eventKeys, authenticatedFrom: null });

        await expect(rotating).rejects.toThrow(/never erased, is gone from the store.*nothing was rotated/);
        expect(server.log.events.length).toBe(before);
      });

      it('an intact store under the event key, a resident erased through the ledger among them, rotates', async () => {
        const kept = await keyOf('RES-KEPT');
        await keyOf('RES-GONE');
        await signed().erase('RES-GONE', NOW, 'api-key:admin', 'request');

        expect(await rotateKeyStreams(storeOn(), MASTER, NEW_MASTER, { eventKeys, authenticatedFrom: null })).toEqual({
          keys: 1,
          already: 0,
        });
        const rotated = new EventStoreKeyStore(storeOn(), NEW_MASTER, 0);
        await rotated.load([kept.id]);
        expect(rotated.find(kept.id)).toEqual(kept.key);
      });
    });
  });

  describe("a key bound to its resident (decision 0023's form 2): a stream altered on the server is tampering, never a key to use", () => {
    /** What someone able to write to the server, without the master key, can do: put a wrap where it does not belong. */
    const keyMade = (subject: string, wrapped: string): NewEvent => ({
      eventId: randomUUID(),
      type: 'DataKeyMade',
      data: { subject, wrapped },
      metadata: { occurredAt: NOW, actor: 'intruder', correlationId: randomUUID(), schemaVersion: 1 },
    });
    const wrappedOf = (id: string) => (JSON.parse(Buffer.from(eventsOf(keyStream(id))[0]!.data).toString()) as { wrapped: string }).wrapped;

    it("a wrap copied into another key's stream does not open there: that key is not found, and the store says it was altered", async () => {
      const keys = replica();
      const altered: KeyStoreAltered[] = [];
      keys.onAltered((error) => altered.push(error));
      await keys.loadSubject('RES-ALICE');
      const alice = keys.keyFor('RES-ALICE', NOW);
      await keys.durable();
      await storeOn().append(keyStream('forged-key'), [keyMade('RES-ALICE', wrappedOf(alice.id))], 'no_stream');
      await keys.load(['forged-key']);
      expect(keys.find('forged-key')).toBeNull();
      expect(keys.alteration).toBeInstanceOf(KeyStoreAltered);
      expect(altered.map((error) => error.detail)).toEqual([expect.stringMatching(/forged-key does not open/)]);
    });

    it("a resident's stream naming another resident's key does not give them that key", async () => {
      const keys = replica();
      await keys.loadSubject('RES-ALICE');
      const alice = keys.keyFor('RES-ALICE', NOW);
      await keys.durable();
      const assigned: NewEvent = { ...keyMade('', ''), type: 'KeyAssigned', data: { keyId: alice.id, at: NOW } };
      await storeOn().append(residentKeysStream('RES-MALLORY'), [assigned], 'no_stream');
      const other = replica();
      await other.loadSubject('RES-MALLORY');
      expect(other.alteration?.detail).toMatch(/is assigned to "RES-MALLORY"/);
      expect(other.keyFor('RES-MALLORY', NOW).id).not.toBe(alice.id);
    });
  });

  describe('a key file from before the keys were in EventStoreDB is moved into it once, then deleted', () => {
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const fileWith = (write: (file: DataKeyStore) => void) => {
      const path = join(mkdtempSync(join(tmpdir(), 'ledger-keys-move-')), 'keys.sqlite');
      const file = new DataKeyStore(path, MASTER);
      write(file);
      file.close();
      return path;
    };

    it("its keys are the store's, its erasures destroy in the store too, and no copy is left on disk", async () => {
      let kept: { id: string; key: Buffer } = { id: '', key: Buffer.alloc(0) };
      const path = fileWith((file) => {
        kept = file.keyFor('RES-KEPT', '2024-01-01T00:00:00.000Z');
        file.keyFor('RES-ERASED', '2024-01-01T00:00:00.000Z');
        file.erase('RES-ERASED', '2024-02-01T00:00:00.000Z', 'api-key:admin', 'request');
      });
      const keys = replica();
      expect(await moveKeyFileIntoStore(path, MASTER, keys, quiet)).toEqual({ keys: 1, erasures: 1, toReview: [] });
      expect(existsSync(path)).toBe(false);
      const elsewhere = replica();
      await elsewhere.load([kept.id]);
      expect(elsewhere.find(kept.id)).toEqual(kept.key);
      await elsewhere.loadSubject('RES-KEPT');
      expect(elsewhere.keyFor('RES-KEPT', NOW)).toEqual(kept);
      await elsewhere.loadSubject('RES-ERASED');
      expect(elsewhere.erasure('RES-ERASED')?.erasedAt).toBe('2024-02-01T00:00:00.000Z');
      expect(await moveKeyFileIntoStore(path, MASTER, keys, quiet)).toBeNull(); // once
    });

    it('a move cut short after a key was put in the store, its resident then erased: run again, that key is deleted, not left readable', async () => {
      let kept: { id: string; key: Buffer } = { id: '', key: Buffer.alloc(0) };
      const path = fileWith((file) => (kept = file.keyFor('RES-CUT', '2024-01-01T00:00:00.000Z')));
      const cut = storeOn();
      const append = cut.append.bind(cut);
      // the key's own stream is written, the resident's assignment is not
      cut.append = (stream, ...rest) =>
        stream.startsWith('resident-keys-') ? Promise.reject(new StoreUnavailable('the connection dropped')) : append(stream, ...rest);
      await expect(moveKeyFileIntoStore(path, MASTER, new EventStoreKeyStore(cut, MASTER, 0), quiet)).rejects.toThrow(/dropped/);
      await replica().erase('RES-CUT', '2024-03-01T00:00:00.000Z', 'api-key:admin', 'request');

      await moveKeyFileIntoStore(path, MASTER, replica(), quiet);

      const elsewhere = replica();
      await elsewhere.load([kept.id]);
      expect(elsewhere.find(kept.id)).toBeNull();
      expect(server.log.tombstoned.has(keyStream(kept.id))).toBe(true);
    });

    it("a SQLite log's own key file is never taken", async () => {
      const path = fileWith((file) => file.keyFor('RES-LOCAL', NOW));
      writeFileSync(join(dirname(path), 'ledger.sqlite'), '');
      expect(await moveKeyFileIntoStore(path, MASTER, replica(), quiet)).toBeNull();
      expect(existsSync(path)).toBe(true);
    });

    it('a key whose resident the store erased after it was made is not brought back, and one given since an old erasure is not destroyed', async () => {
      const keys = replica();
      await keys.erase('RES-LATER', '2024-03-01T00:00:00.000Z', 'api-key:admin', 'request');
      await keys.loadSubject('RES-GIVEN-SINCE');
      const since = keys.keyFor('RES-GIVEN-SINCE', '2024-05-01T00:00:00.000Z');
      await keys.durable();
      let old: { id: string; key: Buffer } = { id: '', key: Buffer.alloc(0) };
      const path = fileWith((file) => {
        old = file.keyFor('RES-LATER', '2024-01-01T00:00:00.000Z');
        file.erase('RES-GIVEN-SINCE', '2024-02-01T00:00:00.000Z', 'api-key:admin', 'request');
      });
      expect(await moveKeyFileIntoStore(path, MASTER, keys, quiet)).toEqual({ keys: 0, erasures: 0, toReview: ['RES-GIVEN-SINCE'] });
      await keys.load([old.id, since.id]);
      expect(keys.find(old.id)).toBeNull();
      expect(keys.find(since.id)).toEqual(since.key);
    });
  });
});
