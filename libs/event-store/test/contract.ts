import { randomUUID } from 'node:crypto';
import {
  authenticationOf,
  DuplicateEventId,
  EventKeyRing,
  eventKeyOf,
  GENESIS_HASH,
  verifyChain,
  WrongExpectedRevision,
  type EventKey,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamHead,
} from '../src';

export const newEvent = (type = 'CorrespondenceRecorded', data: object = { summary: 'called' }): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'test', correlationId: randomUUID(), schemaVersion: 1 },
});

const waitFor = async (condition: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/**
 * The contract every adapter must honour (docs/architecture.md, principle 5). `open` gives a fresh, empty
 * store for each test; `streamPrefix` keeps runs apart on a shared server.
 */
export function eventStoreContract(open: () => Promise<EventStore>, capabilities = { uniqueEventIdsAcrossStreams: true }) {
  let store: EventStore;
  let stream: string;
  beforeEach(async () => {
    store = await open();
    stream = `complaint-${randomUUID()}`;
  });
  afterEach(async () => store.close());

  it('appends to a new stream and reads it back in order, with revisions from 0', async () => {
    const events = [newEvent('ComplaintReceived'), newEvent('Acknowledged'), newEvent('Responded')];
    const result = await store.append(stream, events, 'no_stream');
    expect(result).toMatchObject({ revision: 2, written: true });
    const read = await store.readStream(stream);
    expect(read.map((e) => [e.revision, e.type, e.eventId])).toEqual(events.map((e, i) => [i, e.type, e.eventId]));
    expect(read[0]!.data).toEqual(events[0]!.data);
    expect(read[0]!.metadata).toMatchObject(events[0]!.metadata);
  });

  it('reads an unknown stream as empty', async () => {
    expect(await store.readStream(`complaint-${randomUUID()}`)).toEqual([]);
  });

  it('appends at the expected revision and refuses a stale one', async () => {
    await store.append(stream, [newEvent()], 'no_stream');
    await store.append(stream, [newEvent()], 0);
    await expect(store.append(stream, [newEvent()], 0)).rejects.toBeInstanceOf(WrongExpectedRevision);
    await expect(store.append(stream, [newEvent()], 'no_stream')).rejects.toMatchObject({ actual: 1 });
    await expect(store.append(`complaint-${randomUUID()}`, [newEvent()], 3)).rejects.toMatchObject({ actual: 'no_stream' });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('of two concurrent appends at the same revision, exactly one wins', async () => {
    await store.append(stream, [newEvent()], 'no_stream');
    const results = await Promise.allSettled([store.append(stream, [newEvent()], 0), store.append(stream, [newEvent()], 0)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof WrongExpectedRevision)).toHaveLength(1);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('treats a retry with the same event ids as already written, whatever the expected revision', async () => {
    const events = [newEvent(), newEvent()];
    const first = await store.append(stream, events, 'no_stream');
    const retry = await store.append(stream, events, 'no_stream');
    expect(retry).toEqual({ revision: first.revision, position: first.position, written: false });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  // EventStoreDB keeps no index of event ids across streams; its adapter documents the limit.
  if (capabilities.uniqueEventIdsAcrossStreams)
    it('refuses an event id reused in another stream', async () => {
      const event = newEvent();
      await store.append(stream, [event], 'no_stream');
      await expect(store.append(`complaint-${randomUUID()}`, [event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventId);
    });

  it('refuses an append that carries the same event id twice, writing nothing', async () => {
    const twice = newEvent();
    await expect(store.append(stream, [twice, newEvent(), twice], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventId);
    const long = Array.from({ length: 20 }, () => newEvent());
    await expect(store.append(stream, [...long, long[7]!], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventId);
    expect(await store.readStream(stream)).toHaveLength(0);
  });

  it('recognises a retry even when it expects the revision its first attempt produced', async () => {
    const events = [newEvent(), newEvent()];
    const first = await store.append(stream, events, 'no_stream');
    expect(await store.append(stream, events, first.revision)).toEqual({
      revision: first.revision,
      position: first.position,
      written: false,
    });
    const reused = newEvent();
    await store.append(stream, [reused], first.revision);
    await expect(store.append(stream, [reused, newEvent()], first.revision + 1)).rejects.toBeInstanceOf(DuplicateEventId);
    expect(await store.readStream(stream)).toHaveLength(3);
  });

  it('writes nothing of a batch it refuses', async () => {
    const used = newEvent();
    await store.append(stream, [used], 'no_stream');
    await expect(store.append(stream, [newEvent(), used], 0)).rejects.toBeInstanceOf(DuplicateEventId);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('appends many events at once, to a new stream and to an existing one, and refuses a long append whole', async () => {
    const first = Array.from({ length: 70 }, () => newEvent());
    await store.append(stream, first, 'no_stream');
    const more = Array.from({ length: 40 }, () => newEvent());
    expect(await store.append(stream, more, 69)).toMatchObject({ revision: 109, written: true });
    // a reused id at the very end refuses all 41 events, not just the last
    await expect(store.append(stream, [...Array.from({ length: 40 }, () => newEvent()), first[3]!], 109)).rejects.toBeInstanceOf(
      DuplicateEventId,
    );
    const read = await store.readStream(stream);
    expect(read.map((e) => e.eventId)).toEqual([...first, ...more].map((e) => e.eventId));
    expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 110 }, (_, i) => i));
    expect(verifyChain(read).valid).toBe(true);
  });

  /** A position the store gave just before this test's events (a shared server may hold earlier ones). */
  const positionBefore = async () => (await store.append(`complaint-${randomUUID()}`, [newEvent()], 'no_stream')).position;

  it('orders all streams by a global position and reads from any position it gave', async () => {
    const other = `complaint-${randomUUID()}`;
    const before = await positionBefore();
    await store.append(stream, [newEvent()], 'no_stream');
    await store.append(other, [newEvent()], 'no_stream');
    await store.append(stream, [newEvent()], 0);
    const all = (await store.readAll(before, 1000)).filter((e) => e.streamId === stream || e.streamId === other);
    expect(all.map((e) => e.streamId)).toEqual([stream, other, stream]);
    const positions = all.map((e) => e.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(positions).size).toBe(3);
    const after = await store.readAll(all[0]!.position, 1000);
    expect(after.map((e) => e.eventId)).toContain(all[2]!.eventId);
    expect(after.map((e) => e.eventId)).not.toContain(all[0]!.eventId);
  });

  it('chains each stream with SHA-256 hashes that verify', async () => {
    await store.append(stream, [newEvent(), newEvent()], 'no_stream');
    await store.append(stream, [newEvent()], 1);
    const read = await store.readStream(stream);
    expect(read[0]!.metadata.prevHash).toBe('0'.repeat(64));
    expect(read[1]!.metadata.prevHash).toBe(read[0]!.metadata.hash);
    expect(verifyChain(read)).toEqual({ valid: true, events: 3, headHash: read[2]!.metadata.hash, firstInvalidRevision: null });
    const tampered = read.map((e) => (e.revision === 1 ? { ...e, data: { summary: 'edited' } } : e));
    expect(verifyChain(tampered)).toMatchObject({ valid: false, firstInvalidRevision: 1 });
  });

  it('reads the event at a position, and nothing at one where no event of its log is', async () => {
    const first = await store.append(stream, [newEvent()], 'no_stream');
    const second = await store.append(stream, [newEvent()], 0);
    expect(await store.readAt(first.position)).toMatchObject({ streamId: stream, revision: 0, position: first.position });
    expect(await store.readAt(second.position)).toMatchObject({ streamId: stream, revision: 1, position: second.position });
    expect(await store.readAt(second.position + 1_000_000)).toBeUndefined(); // past the log's end: another log's position
  });

  it('subscribes: catches up from a position, then delivers live appends once, in order', async () => {
    const start = await positionBefore();
    await store.append(stream, [newEvent()], 'no_stream');
    await store.append(stream, [newEvent()], 0);
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribe(start, (event) => {
      if (event.streamId === stream) seen.push(event);
    });
    await waitFor(() => seen.length === 2);
    await store.append(stream, [newEvent()], 1);
    await store.append(stream, [newEvent(), newEvent()], 2);
    await waitFor(() => seen.length === 5);
    await subscription.close();
    expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
  });

  describe('given the head the caller has just read (expectedHead)', () => {
    const headOf = (event: RecordedEvent | undefined): StreamHead =>
      event ? { revision: event.revision, hash: event.metadata.hash } : { revision: -1, hash: GENESIS_HASH };

    it('appends chained onto that head, to a new stream and to an existing one', async () => {
      await store.append(stream, [newEvent(), newEvent()], 'no_stream', headOf(undefined));
      const head = headOf((await store.readStream(stream)).at(-1));
      expect(await store.append(stream, [newEvent()], 1, head)).toMatchObject({ revision: 2, written: true });
      const read = await store.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(read[2]!.metadata.prevHash).toBe(head.hash);
      expect(verifyChain(read).valid).toBe(true);
    });

    it('refuses it when another writer has moved the stream on, as without it, writing nothing', async () => {
      await store.append(stream, [newEvent()], 'no_stream');
      const head = headOf(await store.readLastEvent(stream));
      await store.append(stream, [newEvent()], 0); // another writer
      await expect(store.append(stream, [newEvent()], 0, head)).rejects.toMatchObject({ expected: 0, actual: 1 });
      await expect(store.append(stream, [newEvent()], 'no_stream', headOf(undefined))).rejects.toBeInstanceOf(WrongExpectedRevision);
      const read = await store.readStream(stream);
      expect(read).toHaveLength(2);
      expect(verifyChain(read).valid).toBe(true);
    });

    it('records a retry given the head from before its first attempt once, answered with that attempt’s revision and position', async () => {
      await store.append(stream, [newEvent()], 'no_stream');
      const head = headOf(await store.readLastEvent(stream));
      const events = [newEvent(), newEvent()];
      const first = await store.append(stream, events, 0, head);
      expect(await store.append(stream, events, 0, head)).toMatchObject({ revision: first.revision, position: first.position });
      await store.append(stream, [newEvent()], first.revision); // another writer, then the retry again
      expect(await store.append(stream, events, 0, head)).toMatchObject({ revision: first.revision, position: first.position });
      const read = await store.readStream(stream);
      expect(read.map((e) => e.eventId).filter((id) => events.some((e) => e.eventId === id))).toHaveLength(2);
      expect(read).toHaveLength(4);
    });

    it('does not take a head that is not the one the append expects', async () => {
      await store.append(stream, [newEvent()], 'no_stream');
      const notItsHash = { revision: 0, hash: 'f'.repeat(64) }; // the stream's revision, but with `any` and with a stale expectation
      expect(await store.append(stream, [newEvent()], 'any', notItsHash)).toMatchObject({ revision: 1, written: true });
      await expect(store.append(stream, [newEvent()], 5, { revision: 1, hash: 'f'.repeat(64) })).rejects.toMatchObject({ actual: 1 });
      const read = await store.readStream(stream);
      expect(read).toHaveLength(2);
      expect(verifyChain(read).valid).toBe(true);
    });

    it('still refuses an append that carries the same event id twice, writing nothing', async () => {
      const twice = newEvent();
      await expect(store.append(stream, [twice, newEvent(), twice], 'no_stream', headOf(undefined))).rejects.toBeInstanceOf(
        DuplicateEventId,
      );
      expect(await store.readStream(stream)).toEqual([]);
    });
  });

  it("reads a stream's last event alone, as the whole stream holds it", async () => {
    expect(await store.readLastEvent(stream)).toBeUndefined();
    await store.append(stream, [newEvent(), newEvent()], 'no_stream');
    await store.append(`complaint-${randomUUID()}`, [newEvent()], 'no_stream');
    await store.append(stream, [newEvent()], 1);
    expect(await store.readLastEvent(stream)).toEqual((await store.readStream(stream)).at(-1));
  });

  it('reports itself ready', async () => {
    expect(await store.ready()).toBe(true);
  });
}

/**
 * With an event key, every event an adapter writes is authenticated under it: its metadata names
 * the key (covered by the hash) and carries the MAC over the hash, whatever the path (a new
 * stream, an append, several events at once), and the chain verifies with the key ring.
 */
export function authenticatedStoreContract(open: (key: EventKey) => Promise<EventStore>) {
  const key = eventKeyOf(Buffer.alloc(32, 9));
  const ring = new EventKeyRing([key]);
  let store: EventStore;
  beforeEach(async () => (store = await open(key)));
  afterEach(async () => store.close());

  it('authenticates every event it writes under the key, the key named under the hash and the MAC beside it', async () => {
    const stream = `complaint-${randomUUID()}`;
    await store.append(stream, [newEvent('ComplaintReceived'), newEvent('Acknowledged')], 'no_stream');
    await store.append(stream, [newEvent()], 1);
    const read = await store.readStream(stream);
    expect(read.map((event) => authenticationOf(event, ring))).toEqual(['authenticated', 'authenticated', 'authenticated']);
    expect(read.every((event) => event.metadata.macKeyId === key.id)).toBe(true);
    expect(verifyChain(read, ring)).toMatchObject({ valid: true, events: 3 });
    // the same events read in log order say the same
    const all = (await store.readAll(-1, 100)).filter((event) => event.streamId === stream);
    expect(all.map((event) => authenticationOf(event, ring))).toEqual(['authenticated', 'authenticated', 'authenticated']);
  });

  it('authenticates what it appends onto a head the caller read (expectedHead) as it does any other', async () => {
    const stream = `complaint-${randomUUID()}`;
    await store.append(stream, [newEvent('ComplaintReceived')], 'no_stream', { revision: -1, hash: GENESIS_HASH });
    const last = (await store.readLastEvent(stream))!;
    await store.append(stream, [newEvent()], 0, { revision: last.revision, hash: last.metadata.hash });
    const read = await store.readStream(stream);
    expect(read.map((event) => authenticationOf(event, ring))).toEqual(['authenticated', 'authenticated']);
    expect(verifyChain(read, ring)).toMatchObject({ valid: true, events: 2 });
  });
}
