import { randomUUID } from 'node:crypto';
import { DuplicateEventId, EventStoreDbEventStore, StoreUnavailable, verifyChain, WrongExpectedRevision, type RecordedEvent } from '../src';
import { eventStoreContract, newEvent } from './contract';
import { FakeEventStoreDbClient } from './support/fake-eventstoredb-client';

// No EventStoreDB server can run on CI machines; the same contract runs against a real one in
// eventstoredb.int.spec.ts when EVENTSTORE_CONNECTION_STRING is set.
describe('EventStoreDbEventStore over a stub of @eventstore/db-client honours the event-store contract', () =>
  eventStoreContract(async () => new EventStoreDbEventStore(new FakeEventStoreDbClient(), { resubscribeDelayMs: 10 }), {
    uniqueEventIdsAcrossStreams: EventStoreDbEventStore.uniqueEventIdsAcrossStreams,
  }));

describe('EventStoreDbEventStore mapping', () => {
  let client: FakeEventStoreDbClient;
  let store: EventStoreDbEventStore;
  const stream = () => `complaint-${randomUUID()}`;
  beforeEach(() => {
    client = new FakeEventStoreDbClient();
    store = new EventStoreDbEventStore(client, { resubscribeDelayMs: 10, clock: () => '2024-05-01T10:00:00.000Z' });
  });
  afterEach(() => store.close());

  it('maps WrongExpectedVersion to the port conflict with the actual revision, when another writer slips in', async () => {
    const id = stream();
    await store.append(id, [newEvent()], 'no_stream');
    client.beforeNextAppend = () => store.append(id, [newEvent()], 0);
    const error = await store.append(id, [newEvent()], 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevision);
    expect(error).toMatchObject({ expected: 0, actual: 1 });
  });

  it("with 'any', chains onto an event that slipped in rather than breaking the hash chain", async () => {
    const id = stream();
    await store.append(id, [newEvent()], 'no_stream');
    client.beforeNextAppend = () => store.append(id, [newEvent()], 'any');
    await store.append(id, [newEvent()], 'any');
    const read = await store.readStream(id);
    expect(read).toHaveLength(3);
    expect(verifyChain(read).valid).toBe(true);
  });

  it('keeps our metadata and hash chain in the event metadata, and the commit position as the position', async () => {
    const id = stream();
    const event = newEvent('ComplaintReceived', { complaintId: 'c-1' });
    const result = await store.append(id, [event], 'no_stream');
    const [read] = await store.readStream(id);
    expect(read).toMatchObject({
      streamId: id,
      revision: 0,
      eventId: event.eventId,
      type: 'ComplaintReceived',
      data: { complaintId: 'c-1' },
    });
    expect(read!.metadata).toMatchObject({ ...event.metadata, recordedAt: '2024-05-01T10:00:00.000Z', prevHash: '0'.repeat(64) });
    expect(read!.position).toBe(result.position);
    expect(result.position).toBeGreaterThan(1000); // a byte offset, not an index
  });

  it("reads $all without the server's system events or other applications' streams", async () => {
    await client.appendToStream(
      'orders-1',
      [{ id: randomUUID(), type: 'OrderPlaced', data: {}, metadata: {}, contentType: 'application/json' }],
      {
        expectedRevision: 'no_stream',
      },
    );
    const id = stream();
    await store.append(id, [newEvent(), newEvent()], 'no_stream');
    const all = await store.readAll(-1, 100);
    expect(all.map((e) => e.streamId)).toEqual([id, id]);
    expect(await store.readAll(all[0]!.position, 100)).toEqual([all[1]]);
  });

  it('pages through $all when a read holds more than one page', async () => {
    const ids = Array.from({ length: 1200 }, () => stream());
    for (const id of ids) await store.append(id, [newEvent()], 'no_stream');
    const all = await store.readAll(-1, 5000);
    expect(all.map((e) => e.streamId)).toEqual(ids);
    expect(await store.readAll(all[599]!.position, 2)).toEqual(all.slice(600, 602));
  });

  it('recognises a retry by event id, and refuses an id reused for another event in the stream', async () => {
    const id = stream();
    const events = [newEvent(), newEvent()];
    const first = await store.append(id, events, 'no_stream');
    expect(await store.append(id, events, 1)).toEqual({ ...first, written: false });
    await expect(store.append(id, [newEvent(), events[0]!], 1)).rejects.toBeInstanceOf(DuplicateEventId);
  });

  it('reports an unreachable server as StoreUnavailable, and not ready', async () => {
    client.failNext.add('read');
    await expect(store.append(stream(), [newEvent()], 'no_stream')).rejects.toBeInstanceOf(StoreUnavailable);
    client.failNext.add('append');
    await expect(store.append(stream(), [newEvent()], 'no_stream')).rejects.toBeInstanceOf(StoreUnavailable);
    client.failNext.add('readAll');
    expect(await store.ready()).toBe(false);
    expect(await store.ready()).toBe(true);
  });

  it('resubscribes after a dropped subscription from the last delivered event, without repeats or gaps', async () => {
    const id = stream();
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribe(-1, (event) => void seen.push(event));
    await store.append(id, [newEvent(), newEvent()], 'no_stream');
    await waitFor(() => seen.length === 2);
    client.dropSubscriptions();
    await store.append(id, [newEvent()], 1);
    await waitFor(() => seen.length === 3);
    await store.append(id, [newEvent()], 2);
    await waitFor(() => seen.length === 4);
    await subscription.close();
    expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
  });
});

async function waitFor(condition: () => boolean, ms = 3000) {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
