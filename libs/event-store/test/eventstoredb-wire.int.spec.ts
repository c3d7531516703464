import { EventStoreDBClient } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import {
  DeadlineExceeded,
  EventStoreDbEventStore,
  parseEventStoreConnectionString,
  StoreUnavailable,
  verifyChain,
  WrongExpectedRevision,
  type EventStoreDbClientLike,
  type EventStoreDbOptions,
  type RecordedEvent,
} from '../src';
import { authenticatedStoreContract, eventStoreContract, newEvent } from './contract';
import { EventStoreDbStandIn, silentListener } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * The EventStoreDB adapter driven through its real client (@eventstore/db-client: gRPC, protobuf,
 * its error conversion, positions, deadlines, connection strings) against a stand-in server built
 * from the service definitions the client ships. No EventStoreDB server can run on CI machines;
 * the same contract runs against a real one in eventstoredb.int.spec.ts when
 * EVENTSTORE_CONNECTION_STRING is set.
 */
let server: EventStoreDbStandIn;
const opened: EventStoreDbEventStore[] = [];
beforeEach(async () => {
  server = await EventStoreDbStandIn.start();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await server.stop();
});

const warnings: string[] = [];
const open = (options: EventStoreDbOptions = {}, client?: EventStoreDbClientLike) => {
  const store = client
    ? new EventStoreDbEventStore(client, { resubscribeDelayMs: 20, logger: { warn: (line) => warnings.push(line) }, ...options })
    : EventStoreDbEventStore.connect(server.connectionString, {
        resubscribeDelayMs: 20,
        logger: { warn: (line) => warnings.push(line) },
        ...options,
      });
  opened.push(store);
  return store;
};
const stream = () => `complaint-${randomUUID()}`;

describe('over the wire, the adapter honours the event-store contract', () =>
  eventStoreContract(async () => open(), { uniqueEventIdsAcrossStreams: EventStoreDbEventStore.uniqueEventIdsAcrossStreams }));

describe('over the wire, with an event key', () => authenticatedStoreContract(async (eventKey) => open({ eventKey })));

/** The real client, with a hook run before each append: another writer slipping in between the adapter's read and its write. */
function interceptedClient(beforeAppend: () => Promise<unknown>): EventStoreDbClientLike {
  const client = EventStoreDBClient.connectionString(server.connectionString);
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'appendToStream') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<EventStoreDBClient['appendToStream']>) => {
        await beforeAppend();
        return target.appendToStream(...args);
      };
    },
  }) as unknown as EventStoreDbClientLike;
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
  });

  it("refuses an append over the server's maximum append size as unavailable, writing nothing", async () => {
    server.maxAppendSize = 2_000;
    const store = open();
    const id = stream();
    const error = await store
      .append(id, [newEvent('CorrespondenceRecorded', { summary: 'x'.repeat(3_000) })], 'no_stream')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).toMatch(/Maximum Append Size of 2000 Exceeded/);
    expect(await store.readStream(id)).toEqual([]);
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
      const store = EventStoreDbEventStore.connect(silent.connectionString, { deadlineMs, readyDeadlineMs: 200 });
      opened.push(store);
      for (const call of [
        () => store.readStream(stream()),
        () => store.readAll(-1, 10),
        () => store.append(stream(), [newEvent()], 'no_stream'),
      ]) {
        const { error, ms } = await timed(call);
        expect(error).toBeInstanceOf(StoreUnavailable);
        expect((error as Error).message).toMatch(/within 300 ms/);
        expect(ms).toBeLessThan(deadlineMs + 1_000);
      }
      const { error, ms } = await timed(async () => expect(await store.ready()).toBe(false));
      expect(error).toBeNull();
      expect(ms).toBeLessThan(200 + 1_000);
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
      expect(ms).toBeLessThan(deadlineMs + 1_000);
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
    expect(ms).toBeLessThan(deadlineMs + 1_000);
    server.delayMs = 0;
  });

  it("the connection string's defaultDeadline is the deadline of reads too", async () => {
    const silent = await silentListener();
    try {
      const store = EventStoreDbEventStore.connect(`${silent.connectionString}&defaultDeadline=250`);
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
    await expect(store.readStream(stream())).rejects.toThrow(/Access denied/);
  });

  it('after a leader election the call fails as unavailable; the client reconnects to the leader named, and the next call succeeds there', async () => {
    const leader = await EventStoreDbStandIn.start();
    try {
      server.leader = { host: '127.0.0.1', port: leader.port };
      server.mode = 'not-leader';
      const store = open();
      const id = stream();
      await expect(store.append(id, [newEvent()], 'no_stream')).rejects.toThrow(/not-leader|Leader/i);
      expect(await store.append(id, [newEvent()], 'no_stream')).toMatchObject({ revision: 0, written: true });
      expect(leader.calls.append).toBe(1);
      expect(server.calls.append).toBe(0);
    } finally {
      await leader.stop();
    }
  });
});

describe('subscriptions: failures are logged, counted and shown, and resubscribe from the last event delivered', () => {
  const waitFor = async (condition: () => boolean, ms = 5_000) => {
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

describe('connection strings: accepted exactly as the client accepts them', () => {
  it.each([
    'esdb://localhost:2113?tls=false',
    'esdb+discover://a.example:2113,b.example:2113',
    'esdb://localhost:2113?defaultDeadline=5000',
  ])('accepts %s', (value) => expect(() => parseEventStoreConnectionString(value)).not.toThrow());

  it.each(['kurrentdb://localhost:2113', 'kdb://localhost:2113', 'esdb://localhost:port', 'esdb://localhost:2113?defaultDeadline=soon'])(
    "refuses %s, in the client's words",
    (value) => expect(() => parseEventStoreConnectionString(value)).toThrow(/^Unexpected .+, expected /),
  );

  it('reads defaultDeadline', () => {
    expect(parseEventStoreConnectionString('esdb://localhost:2113?defaultDeadline=1500')).toMatchObject({ defaultDeadline: 1500 });
  });
});
