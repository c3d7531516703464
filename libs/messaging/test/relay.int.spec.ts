import { SqliteEventStore } from '@complaint-ledger/event-store';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComplaintFacts, many, record, testReadSide } from '../../projections/test/support/ledger';
import { DEFAULT_TOPICS, EventRelay, InProcessPublisher, type ComplaintIntegrationEvent, type TsmSnapshot } from '../src';
import { scaled } from '../../../test/support/timeouts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-relay-'));
let n = 0;
const NOW = '2026-11-23T12:00:00.000Z';

function ledger() {
  const id = ++n;
  const store = new SqliteEventStore(join(dir, `log-${id}.sqlite`));
  const readSide = testReadSide(store, join(dir, `rm-${id}.sqlite`));
  const publisher = new InProcessPublisher();
  const relay = (overrides: Partial<ConstructorParameters<typeof EventRelay>[0]> = {}) =>
    track(
      new EventRelay({
        store,
        db: readSide.db,
        publisher,
        topics: DEFAULT_TOPICS,
        homes: { 2024: { LCRA: 1000, LCHO: 500 } },
        clock: () => NOW,
        projectionsPosition: () => readSide.runner.position,
        batchSize: 10,
        idleMs: 10,
        initialBackoffMs: 10,
        ...overrides,
      }),
    );
  const published = (topic = DEFAULT_TOPICS.events) =>
    publisher.messages(topic).map((m) => JSON.parse(m.value) as ComplaintIntegrationEvent);
  return { store, readSide, publisher, relay, published, close: async () => (await readSide.stop(), await store.close()) };
}

const relays: EventRelay[] = [];
const track = (relay: EventRelay) => (relays.push(relay), relay);
afterEach(async () => void (await Promise.all(relays.splice(0).map((relay) => relay.stop()))));

const lives = () => [
  ...many(6, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00').responded(1, '2024-06-10T10:00')),
  ...many(4, (c) => c.received('2024-07-01T10:00', 'LCHO').acknowledged(1, '2024-07-02T10:00')),
];

describe('the relay', () => {
  it('publishes every event once, in log order, keyed by complaint, and the checkpoint survives a restart', async () => {
    const { store, relay, published, publisher, close } = ledger();
    await record(store, ...lives());
    const all = await store.readAll(-1, 1000);
    expect(await relay().publishPending()).toBe(all.length);
    expect(published().map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    expect(publisher.messages(DEFAULT_TOPICS.events).map((m) => m.key)).toEqual(
      all.map((e) => (e.data as { complaintId: string }).complaintId),
    );

    const more = new ComplaintFacts().received('2024-09-02T10:00');
    await record(store, more);
    const restarted = relay(); // a new process: the checkpoint is in the read side's file
    expect(restarted.status().position).toBe(all.at(-1)!.position);
    expect(await restarted.publishPending()).toBe(1);
    expect(published().at(-1)).toMatchObject({ complaintId: more.id, eventType: 'ComplaintReceived' });
    expect(new Set(published().map((e) => e.eventId)).size).toBe(all.length + 1);
    await close();
  });

  it('republishes from a position asked for (a consumer backfilling), and never moves the checkpoint forward', async () => {
    const { store, relay, published, close } = ledger();
    await record(store, ...lives());
    const all = await store.readAll(-1, 1000);
    const first = relay();
    await first.publishPending();
    await first.republishFrom(all[9]!.position);
    expect(await first.publishPending()).toBe(all.length - 10);
    expect(published().map((e) => e.eventId)).toEqual([...all, ...all.slice(10)].map((e) => e.eventId));
    await first.republishFrom(all.at(-1)!.position + 100); // ahead of what was published: nothing is skipped
    expect(first.status().position).toBe(all.at(-1)!.position);
    const restarted = relay(); // the checkpoint it moved back to was kept
    expect(await restarted.publishPending()).toBe(0);
    await close();
  });

  it('publishes the ledger checkpoints on their own topic, keyed "ledger", and nothing of them on the events topic', async () => {
    const { store, relay, published, publisher, close } = ledger();
    await record(store, ...lives());
    const checkpoint = { position: 3, events: 3, head: 'ab'.repeat(32), at: NOW, keyId: 'cd'.repeat(8), signature: 'c2ln' };
    const meta = { occurredAt: NOW, actor: 'ledger:checkpointer', correlationId: 'c', schemaVersion: 1 };
    await store.append(
      'ledger-checkpoints',
      [{ eventId: randomUUID(), type: 'LedgerCheckpointed', data: checkpoint, metadata: meta }],
      'no_stream',
    );
    const all = await store.readAll(-1, 1000);
    expect(await relay().publishPending()).toBe(all.length);
    expect(published().map((e) => e.eventType)).not.toContain('LedgerCheckpointed');
    const messages = publisher.messages(DEFAULT_TOPICS.checkpoints);
    expect(messages.map((m) => m.key)).toEqual(['ledger']);
    expect(JSON.parse(messages[0]!.value)).toMatchObject({ checkpoint, position: all.at(-1)!.position });
    await close();
  });

  it('while the broker is down it backs off, reports the lag, loses nothing, and resumes on its own', async () => {
    const { store, relay, published, publisher, close } = ledger();
    const errors: number[] = [];
    const running = relay({ onError: (_error, attempt) => errors.push(attempt) });
    running.start();
    await record(store, ...lives().slice(0, 3));
    await until(() => published().length === 9);

    publisher.failNext(4); // the broker goes away for four attempts
    await record(store, ...lives().slice(3));
    await until(() => running.status().status === 'backing-off');
    const during = running.status();
    expect(during.pendingEvents).toBeGreaterThan(0);
    expect(during.lastError).toMatch(/unavailable/);
    expect(during.position).toBe((await store.readAll(-1, 1000))[8]!.position); // not past what was acknowledged

    await until(() => running.status().status === 'publishing' && running.status().pendingEvents === 0);
    await running.stop();
    const all = await store.readAll(-1, 1000);
    expect(published().map((e) => e.eventId)).toEqual(all.map((e) => e.eventId)); // nothing lost, nothing twice
    expect(errors).toEqual([1, 2, 3, 4]);
    expect(running.status()).toMatchObject({ status: 'stopped', pendingEvents: 0, failures: 0, lastError: null });
    await close();
  });

  it('publishes a CH01/CH02 snapshot per year and tenure when the figures change, and only then', async () => {
    const { store, readSide, relay, publisher, close } = ledger();
    const snapshots = () =>
      publisher.messages(DEFAULT_TOPICS.tsm).map((m) => ({ ...(JSON.parse(m.value) as TsmSnapshot), messageKey: m.key }));
    const r = relay();
    await record(store, ...lives());
    await readSide.runner.catchUp();
    await r.publishPending();
    expect(snapshots().map((s) => s.messageKey)).toEqual(['2024:LCRA', '2024:LCHO', '2024:ALL']);
    expect(snapshots()[0]).toMatchObject({
      eventType: 'TsmSnapshot',
      year: 2024,
      reportingYear: '2024/25',
      tenure: 'LCRA',
      ch01: { stage1Complaints: 6, homes: 1000, stage1PerThousandHomes: 6 },
      ch02: { stage1: { responded: 6, withinTimescale: 6, percent: 100 } },
      asOfPosition: readSide.runner.position,
    });
    expect(snapshots()[2]).toMatchObject({ tenure: 'ALL', ch01: { stage1Complaints: 10, homes: 1500 } });

    await r.publishPending(); // nothing changed: nothing published
    await record(store, new ComplaintFacts().received('2024-10-01T10:00', 'LCHO'));
    await readSide.runner.catchUp();
    await relay().publishPending(); // another process, same file: only the changed figures
    expect(snapshots().map((s) => s.messageKey)).toEqual(['2024:LCRA', '2024:LCHO', '2024:ALL', '2024:LCHO', '2024:ALL']);
    expect(snapshots().at(-2)).toMatchObject({ ch01: { stage1Complaints: 5 } });
    expect(new Set(snapshots().map((s) => s.eventId)).size).toBe(5);
    await close();
  });
});

async function until(condition: () => boolean, timeoutMs = scaled(30_000)): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the relay, attacked (a forged event, a failover within a backoff, a year no longer counted, figures reverted elsewhere)', () => {
  const latest = (publisher: InProcessPublisher) => {
    const byKey = new Map<string, TsmSnapshot>(); // what a compacted topic keeps: the last value per key
    for (const message of publisher.messages(DEFAULT_TOPICS.tsm)) byKey.set(message.key, JSON.parse(message.value) as TsmSnapshot);
    return byKey;
  };
  /** A position shared between processes that only moves forward (StreamLease's). */
  const shared = () => {
    const positions = new Map<string, number>();
    return {
      load: async (destination: string) => positions.get(destination) ?? null,
      save: async (destination: string, position: number, rewind?: boolean) => {
        if (rewind || (positions.get(destination) ?? -2) < position) positions.set(destination, position);
      },
    };
  };

  it('publishes nothing after the last position verification passed: an event forged in the store never reaches Kafka', async () => {
    const { store, relay, published, close } = ledger();
    await record(store, ...lives());
    const all = await store.readAll(-1, 1000);
    const verifiedThrough = all[14]!.position;

    expect(await relay({ publishableThrough: () => verifiedThrough }).publishPending()).toBe(15);
    expect(published().map((e) => e.eventId)).toEqual(all.slice(0, 15).map((e) => e.eventId));
    expect(await relay({ publishableThrough: () => -1 }).publishPending()).toBe(0); // a break found: nothing more
    await close();
  });

  it('a holder that loses the lease and wins it back within one backoff resumes from the shared position: nothing the other published is sent again', async () => {
    const { store, readSide, publisher, published, close } = ledger();
    await record(store, ...lives());
    const checkpoint = shared();
    let holder = 'a';
    const failing = { fail: true };
    const flaky = {
      publish: (messages: Parameters<InProcessPublisher['publish']>[0]) =>
        failing.fail ? Promise.reject(new Error('broker unreachable')) : publisher.publish(messages),
      close: async () => undefined,
    };
    const relayOf = (name: string, out = publisher as Pick<InProcessPublisher, 'publish' | 'close'>) =>
      track(
        new EventRelay({
          store,
          db: testReadSide(store, join(dir, `rm-failover-${name}-${++n}.sqlite`)).db,
          publisher: out as InProcessPublisher,
          topics: DEFAULT_TOPICS,
          homes: {},
          clock: () => NOW,
          projectionsPosition: () => readSide.runner.position,
          batchSize: 5,
          idleMs: 5,
          initialBackoffMs: 300, // one backoff, within which the lease goes to b and comes back
          mayPublish: () => holder === name,
          checkpoint,
        }),
      );
    const a = relayOf('a', flaky);
    a.start();
    await new Promise((resolve) => setTimeout(resolve, 50)); // a's first attempt failed: it backs off
    holder = 'b';
    const b = relayOf('b');
    const all = await store.readAll(-1, 1000);
    await b.publishPending();
    expect(published()).toHaveLength(all.length);
    holder = 'a';
    failing.fail = false;
    const given = Date.now() + scaled(10_000);
    while (a.status().position < all.at(-1)!.position && Date.now() < given) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(published()).toHaveLength(all.length); // each once
    await close();
  });

  it('a year no longer counted (its only complaint not accepted) is published as such, not left at its last figure', async () => {
    const { store, readSide, publisher, relay, close } = ledger();
    await record(store, ...many(3, (c) => c.received('2024-06-03T10:00')));
    const early = new ComplaintFacts().received('2025-04-02T10:00');
    await record(store, early);
    await readSide.runner.catchUp();
    const r = relay();
    await r.publishPending();
    expect(latest(publisher).get('2025:ALL')?.ch01.stage1Complaints).toBe(1);

    await record(store, new ComplaintFacts(early.id).notAccepted('2025-04-03T10:00'));
    await readSide.runner.catchUp();
    await r.publishPending();

    expect(latest(publisher).get('2025:ALL')?.ch01.stage1Complaints).toBe(0);
    await close();
  });

  it('figures another holder published meanwhile are not taken for its own: reverted figures are published again after a failover', async () => {
    const { store, readSide, publisher } = ledger();
    const checkpoint = shared();
    const processOf = () => {
      const own = testReadSide(store, join(dir, `rm-tsm-${++n}.sqlite`));
      const relay = track(
        new EventRelay({
          store,
          db: own.db,
          publisher,
          topics: DEFAULT_TOPICS,
          homes: {},
          clock: () => NOW,
          projectionsPosition: () => own.runner.position,
          checkpoint,
        }),
      );
      return { own, relay };
    };
    const [a, b] = [processOf(), processOf()];
    const round = async (side: ReturnType<typeof processOf>) => {
      await side.own.runner.catchUp();
      await (side.relay as unknown as { resume(): Promise<void> }).resume(); // as its loop does before each round
      await side.relay.publishPending();
    };
    await record(store, ...many(3, (c) => c.received('2024-06-03T10:00')));
    await round(a);
    const extra = new ComplaintFacts().received('2024-07-01T10:00');
    await record(store, extra);
    await round(b);
    expect(latest(publisher).get('2024:ALL')?.ch01.stage1Complaints).toBe(4);

    await record(store, new ComplaintFacts(extra.id).notAccepted('2024-07-02T10:00'));
    await round(a);

    expect(latest(publisher).get('2024:ALL')?.ch01.stage1Complaints).toBe(3);
    await Promise.all([a.own.stop(), b.own.stop()]);
    await readSide.stop();
    await store.close();
  });
});
