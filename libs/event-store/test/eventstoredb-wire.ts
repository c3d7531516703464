import { randomUUID } from 'node:crypto';
import {
  DeadlineExceeded,
  EventStoreDbEventStore,
  StoreUnavailable,
  verifyChain,
  WrongExpectedRevision,
  type EventStoreDbClientLike,
  type EventStoreDbOptions,
  type RecordedEvent,
} from '../src';
import { clientLibrary, type ClientName } from '../src/adapters/eventstoredb-clients';
import { authenticatedStoreContract, eventStoreContract, newEvent } from './contract';
import { EventStoreDbStandIn, silentListener, type StandInServer } from '../../../tools/eventstore-stand-in/stand-in';
import { scaled } from '../../../test/support/timeouts';

/**
 * The EventStoreDB adapter driven through a real client (gRPC, protobuf, its error conversion,
 * positions, deadlines, connection strings) against the repository's stand-in server, built from
 * the service definitions the clients ship. Each client runs it in a test file of its own
 * (eventstoredb-wire.int.spec.ts, kurrentdb-wire.int.spec.ts): the two cannot share a process
 * (eventstoredb-clients.ts). No server can run on CI machines; the same contract runs against a real
 * one when EVENTSTORE_CONNECTION_STRING is set (eventstoredb.int.spec.ts, kurrentdb.int.spec.ts).
 */
export function eventStoreDbOnTheWire(client: ClientName): void {
  /**
   * The stand-in's connection string in the scheme that picks `client`. The KurrentDB client's
   * native part waits one discovery interval (500 ms by default) before its first connection; the
   * tests shorten it, so that a deadline of 300 ms measures the server, not that wait.
   */
  const connectionStringOf = (address: string) =>
    client === '@kurrent/kurrentdb-client' ? `${address.replace(/^esdb:/, 'kurrentdb:')}&discoveryInterval=20` : address;

  let server: EventStoreDbStandIn;
  const opened: EventStoreDbEventStore[] = [];
  let serverKind: StandInServer = 'current';
  beforeEach(async () => {
    server = await EventStoreDbStandIn.start({ server: serverKind });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
    await server.stop();
  });

  const warnings: string[] = [];
  const quietly = { resubscribeDelayMs: 20, logger: { warn: (line: string) => warnings.push(line) } };
  const open = (options: EventStoreDbOptions = {}, wrapped?: EventStoreDbClientLike) => {
    const store = wrapped
      ? new EventStoreDbEventStore(wrapped, { ...quietly, ...options }, client)
      : EventStoreDbEventStore.connect(connectionStringOf(server.connectionString), { ...quietly, ...options });
    opened.push(store);
    return store;
  };
  const stream = () => `complaint-${randomUUID()}`;
  const capabilities = { uniqueEventIdsAcrossStreams: EventStoreDbEventStore.uniqueEventIdsAcrossStreams };

  describe('on a current server (it lists BatchAppend), the adapter honours the event-store contract', () => {
    const seen = { batchAppend: 0, append: 0 };
    afterEach(() => {
      seen.batchAppend += server.calls.batchAppend;
      seen.append += server.calls.append;
    });
    afterAll(() => {
      // the production path: every append went over BatchAppend
      expect(seen.batchAppend).toBeGreaterThan(20);
      expect(seen.append).toBe(0);
    });
    eventStoreContract(async () => open(), capabilities);
  });

  describe('on an older server (no ServerFeatures), the adapter honours the event-store contract', () => {
    const seen = { batchAppend: 0, append: 0 };
    beforeAll(() => (serverKind = 'older'));
    afterAll(() => (serverKind = 'current'));
    afterEach(() => {
      seen.batchAppend += server.calls.batchAppend;
      seen.append += server.calls.append;
    });
    afterAll(() => {
      expect(seen.append).toBeGreaterThan(20);
      expect(seen.batchAppend).toBe(0);
    });
    eventStoreContract(async () => open(), capabilities);
  });

  describe('with an event key (decision 0023), the adapter authenticates what it writes', () =>
    authenticatedStoreContract(async (eventKey) => open({ eventKey })));

  /** The real client, with a hook run before each append: another writer slipping in between the adapter's read and its write. */
  function interceptedClient(beforeAppend: () => Promise<unknown>): EventStoreDbClientLike {
    const real = clientLibrary(client).connect(connectionStringOf(server.connectionString));
    return new Proxy(real, {
      get(target, property) {
        if (property === 'appendToStream')
          return async (...args: Parameters<EventStoreDbClientLike['appendToStream']>) => {
            await beforeAppend();
            return target.appendToStream(...args);
          };
        const value: unknown = Reflect.get(target, property, target); // the KurrentDB client keeps private fields: called on itself
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  describe('mapping', () => {
    it('keeps our metadata and hash chain in the event metadata, and the commit position (a byte offset) as the position', async () => {
      const store = open({ clock: () => '2024-05-01T10:00:00.000Z' });
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
      expect(result.position).toBeGreaterThan(1000);
    });

    it("gives each event read the time the server wrote it, by the server's clock (storedAt), apart from our record time", async () => {
      server.clock = () => Date.parse('2026-12-07T09:30:00.123Z'); // the server's clock, not the writer's
      const store = open({ clock: () => '2024-05-01T10:00:00.000Z' });
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      // the KurrentDB client's native reader cuts the server's time to whole seconds (the adapter says so)
      const storedAt = client === '@kurrent/kurrentdb-client' ? '2026-12-07T09:30:00.000Z' : '2026-12-07T09:30:00.123Z';
      expect(store.storedAtResolutionMs).toBe(client === '@kurrent/kurrentdb-client' ? 1000 : 1);
      const [read] = await store.readStream(id);
      expect(read!.storedAt).toBe(storedAt);
      expect(read!.metadata.recordedAt).toBe('2024-05-01T10:00:00.000Z');
      expect(verifyChain([read!]).valid).toBe(true);
      expect((await store.readLastEvent(id))!.storedAt).toBe(storedAt);
      expect((await store.readAll(-1, 10))[0]!.storedAt).toBe(storedAt);
    });

    it("reads $all without the server's own events or other applications' streams", async () => {
      server.appendDirectly('orders-1', 'OrderPlaced', {});
      const store = open();
      const id = stream();
      await store.append(id, [newEvent(), newEvent()], 'no_stream');
      const all = await store.readAll(-1, 100);
      expect(all.map((e) => e.streamId)).toEqual([id, id]);
      expect(await store.readAll(all[0]!.position, 100)).toEqual([all[1]]);
    });

    it('pages through $all when a read holds more than one page', async () => {
      const store = open();
      const ids = Array.from({ length: 700 }, () => stream()); // the adapter reads $all 500 at a time
      for (const id of ids) await store.append(id, [newEvent()], 'no_stream');
      const all = await store.readAll(-1, 5000);
      expect(all.map((e) => e.streamId)).toEqual(ids);
      expect(await store.readAll(all[519]!.position, 2)).toEqual(all.slice(520, 522));
    });

    it('maps WrongExpectedVersion to the port conflict with the actual revision, when another writer slips in', async () => {
      const id = stream();
      const other = open();
      await other.append(id, [newEvent()], 'no_stream');
      let once = true;
      const store = open(
        {},
        interceptedClient(async () => once && ((once = false), other.append(id, [newEvent()], 0))),
      );
      const error = await store.append(id, [newEvent()], 0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevision);
      expect(error).toMatchObject({ expected: 0, actual: 1 });
    });

    it("with 'any', chains onto an event that slipped in rather than breaking the hash chain", async () => {
      const id = stream();
      const other = open();
      await other.append(id, [newEvent()], 'no_stream');
      let once = true;
      const store = open(
        {},
        interceptedClient(async () => once && ((once = false), other.append(id, [newEvent()], 'any'))),
      );
      await store.append(id, [newEvent()], 'any');
      const read = await store.readStream(id);
      expect(read).toHaveLength(3);
      expect(verifyChain(read).valid).toBe(true);
    });

    it("with 'any', gives up after the configured number of tries when another writer always slips in", async () => {
      const id = stream();
      const other = open();
      await other.append(id, [newEvent()], 'no_stream');
      let slipped = 0;
      const store = open(
        { maxConflictRetries: 3 },
        interceptedClient(() => other.append(id, [newEvent()], 'any').then(() => slipped++)),
      );
      await expect(store.append(id, [newEvent()], 'any')).rejects.toBeInstanceOf(WrongExpectedRevision);
      expect(slipped).toBe(3);
    });

    it("takes a stream's head from its last event's revision, so a stream truncated at its start still appends in order", async () => {
      const store = open();
      const id = stream();
      await store.append(id, [newEvent(), newEvent(), newEvent()], 'no_stream');
      server.truncateBefore(id, 2);
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([2]);
      expect(await store.append(id, [newEvent()], 2)).toMatchObject({ revision: 3, written: true });
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([2, 3]);
      expect(await store.readLastEvent(id)).toMatchObject({ revision: 3 });
    });

    it('given the head the caller has just read, appends without reading the stream; a head another writer moved past costs one read', async () => {
      const store = open();
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      const head = { revision: 0, hash: (await store.readLastEvent(id))!.metadata.hash };
      const reads = server.reads.length;
      expect(await store.append(id, [newEvent()], 0, head)).toMatchObject({ revision: 1, written: true });
      expect(server.reads.slice(reads)).toEqual([]);
      await expect(store.append(id, [newEvent()], 0, head)).rejects.toMatchObject({ expected: 0, actual: 1 });
      expect(server.reads.slice(reads)).toEqual([{ stream: id, backwards: false, events: 2 }]);
      expect(verifyChain(await store.readStream(id)).valid).toBe(true);
    });

    it("refuses an append over the server's maximum append size as unavailable, writing nothing", async () => {
      server.maxAppendSize = 2_000;
      const store = open();
      const id = stream();
      const error = await store
        .append(id, [newEvent('CorrespondenceRecorded', { summary: 'x'.repeat(3_000) })], 'no_stream')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(/larger than the server's maximum append size \(2000 bytes\)/);
      expect(await store.readStream(id)).toEqual([]);
    });
  });

  describe("deleting a stream outside the ledger for good (a tombstone: a resident's data key, decision 0028)", () => {
    it('reads it as empty, appends to it are refused, a second tombstone is no error, and after a scavenge the server holds none of its events', async () => {
      const store = open();
      const id = `data-key-${randomUUID()}`;
      await store.append(id, [newEvent('DataKeyMade', { wrapped: 'secret' })], 'no_stream');
      await store.tombstone(id);
      expect(server.calls.tombstone).toBe(1);
      expect(await store.readStream(id)).toEqual([]);
      expect(await store.readLastEvent(id)).toBeUndefined();
      // the server keeps its events, and its tombstone, in $all until its next scavenge (decision 0028); then only the tombstone
      const held = () => server.log.events.filter((event) => event.streamName === id).map((event) => event.type);
      expect(held()).toEqual(['DataKeyMade', '$streamDeleted']);
      server.log.scavenge();
      expect(held()).toEqual(['$streamDeleted']);
      const refused = await store.append(id, [newEvent()], 'no_stream').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreUnavailable);
      expect((refused as StoreUnavailable).outcome).toBe('not-written');
      expect((refused as Error).message).toMatch(/deleted for good/);
      await store.tombstone(id); // the server answers stream-deleted: already done
      expect(server.calls.tombstone).toBe(2);
    });

    it("refuses to delete the ledger's own streams", async () => {
      const store = open();
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      await expect(store.tombstone(id)).rejects.toThrow(/never deleted/);
      expect(server.calls.tombstone).toBe(0);
      expect(await store.readStream(id)).toHaveLength(1);
    });
  });

  describe('a server that never answers: every call fails within its deadline, readiness says so', () => {
    const deadlineMs = 300;
    const timed = async (call: () => Promise<unknown>) => {
      const started = Date.now();
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      return { error, ms: Date.now() - started };
    };

    it('a listener that accepts connections and says nothing (no HTTP/2 at all)', async () => {
      const silent = await silentListener();
      try {
        const store = EventStoreDbEventStore.connect(connectionStringOf(silent.connectionString), { deadlineMs, readyDeadlineMs: 200 });
        opened.push(store);
        for (const call of [
          () => store.readStream(stream()),
          () => store.readAll(-1, 10),
          () => store.append(stream(), [newEvent()], 'no_stream'),
        ]) {
          const { error, ms } = await timed(call);
          expect(error).toBeInstanceOf(StoreUnavailable);
          expect((error as Error).message).toMatch(/within 300 ms/);
          expect(ms).toBeLessThan(deadlineMs + scaled(1_000));
        }
        const { error, ms } = await timed(async () => expect(await store.ready()).toBe(false));
        expect(error).toBeNull();
        expect(ms).toBeLessThan(200 + scaled(1_000));
      } finally {
        await silent.close();
      }
    });

    it('a gRPC server that takes every call and never answers', async () => {
      const store = open({ deadlineMs, readyDeadlineMs: 200 });
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream'); // served while it was well
      server.mode = 'silent';
      for (const call of [() => store.readStream(id), () => store.readAll(-1, 10), () => store.append(id, [newEvent()], 0)]) {
        const { error, ms } = await timed(call);
        expect((error as StoreUnavailable).cause).toBeInstanceOf(DeadlineExceeded);
        expect(ms).toBeLessThan(deadlineMs + scaled(1_000));
      }
      expect(await store.ready()).toBe(false);
      server.mode = 'serving';
      expect(await store.ready()).toBe(true);
      expect(await store.readStream(id)).toHaveLength(1);
    });

    it('a slow server: answers within the deadline are taken, one slower than it fails', async () => {
      const store = open({ deadlineMs });
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      server.delayMs = 100; // each answer, and each event of a read, 100 ms late: within 300 ms
      expect(await store.readStream(id)).toHaveLength(1);
      server.delayMs = 600;
      const { error, ms } = await timed(() => store.readStream(id));
      expect((error as StoreUnavailable).cause).toBeInstanceOf(DeadlineExceeded);
      expect(ms).toBeLessThan(deadlineMs + scaled(1_000));
      server.delayMs = 0;
    });

    it("the connection string's defaultDeadline is the deadline of reads too", async () => {
      const silent = await silentListener();
      try {
        const store = EventStoreDbEventStore.connect(`${connectionStringOf(silent.connectionString)}&defaultDeadline=250`);
        opened.push(store);
        const { error, ms } = await timed(() => store.readStream(stream()));
        expect((error as Error).message).toMatch(/within 250 ms/);
        expect(ms).toBeLessThan(1_250);
      } finally {
        await silent.close();
      }
    });
  });

  describe("the server's refusals", () => {
    it('a node that is not ready is unavailable, and so is the readiness check', async () => {
      const store = open();
      server.mode = 'refusing';
      await expect(store.append(stream(), [newEvent()], 'no_stream')).rejects.toBeInstanceOf(StoreUnavailable);
      expect(await store.ready()).toBe(false);
    });

    it('access denied is unavailable, naming it', async () => {
      const store = open();
      server.mode = 'denied';
      await expect(store.readStream(stream())).rejects.toThrow(/Access denied/i);
      await expect(store.append(stream(), [newEvent()], 'no_stream')).rejects.toThrow(/access denied/i);
    });

    it('after a leader election, a call the old leader refuses is made once more at the leader it names, and succeeds there', async () => {
      const leader = await EventStoreDbStandIn.start();
      try {
        const store = open();
        await store.append(stream(), [newEvent()], 'no_stream'); // connected to the old leader
        server.leader = { host: '127.0.0.1', port: leader.port };
        server.mode = 'not-leader';
        const id = stream();
        expect(await store.append(id, [newEvent()], 'no_stream')).toMatchObject({ revision: 0, written: true });
        expect(leader.log.events.filter((event) => event.streamName === id)).toHaveLength(1);
        expect(server.log.events.filter((event) => event.streamName === id)).toHaveLength(0);
        expect(await store.readStream(id)).toHaveLength(1);
      } finally {
        await leader.stop();
      }
    });

    it('a node that keeps saying it is not the leader is asked only once more: the call fails as unavailable, naming it', async () => {
      const store = open();
      server.leader = { host: '127.0.0.1', port: server.port }; // names itself
      server.mode = 'not-leader';
      await expect(store.append(stream(), [newEvent()], 'no_stream')).rejects.toThrow(/not the leader \(the leader is 127\.0\.0\.1:\d+\)/);
      expect(server.calls.read).toBe(2);
    });
  });

  describe('subscriptions: failures are logged, counted and shown, and resubscribe from the last event delivered', () => {
    const waitFor = async (condition: () => boolean, ms = scaled(30_000)) => {
      const until = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > until) throw new Error('timed out waiting');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    it('a dropped subscription resubscribes without repeats or gaps', async () => {
      const store = open();
      const id = stream();
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe(-1, (event) => void seen.push(event));
      await store.append(id, [newEvent(), newEvent()], 'no_stream');
      await waitFor(() => seen.length === 2);
      expect(store.subscriptionHealth()).toMatchObject({ status: 'live', failures: 0 });
      server.dropSubscriptions();
      await store.append(id, [newEvent()], 1);
      await waitFor(() => seen.length === 3);
      await store.append(id, [newEvent()], 2);
      await waitFor(() => seen.length === 4);
      await subscription.close();
      expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(store.subscriptionHealth().failures).toBeGreaterThanOrEqual(1);
    });

    it('a subscription refused (access denied) is not "no new events": it is logged, counted, shown, and retried until it is let in', async () => {
      warnings.length = 0;
      const store = open();
      const id = stream();
      await store.append(id, [newEvent()], 'no_stream');
      server.failSubscriptions = 'access-denied';
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe(-1, (event) => void seen.push(event));
      await waitFor(() => store.subscriptionHealth().failures >= 2);
      expect(store.subscriptionHealth()).toMatchObject({ status: 'resubscribing', lastFailure: expect.stringMatching(/Access denied/) });
      expect(warnings.join('\n')).toMatch(/subscription to \$all failed \(.*Access denied.*\); resubscribing from position -1/);
      expect(seen).toEqual([]);
      server.failSubscriptions = null;
      await waitFor(() => seen.length === 1);
      expect(store.subscriptionHealth().status).toBe('live');
      await subscription.close();
    });

    it('a subscription the server never confirms fails within the deadline and is tried again', async () => {
      const store = open({ deadlineMs: 200 });
      server.mode = 'silent';
      const subscription = store.subscribe(-1, () => undefined);
      await waitFor(() => store.subscriptionHealth().failures >= 1, 2_000);
      expect(store.subscriptionHealth().lastFailure).toMatch(/confirm a subscription to \$all within 200 ms/);
      server.mode = 'serving';
      await waitFor(() => store.subscriptionHealth().status === 'live');
      await subscription.close();
    });
  });
}
