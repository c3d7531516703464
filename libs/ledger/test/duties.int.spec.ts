import { MemoryEventStore, SqliteEventStore } from '@complaint-ledger/event-store';
import { DEFAULT_TOPICS, EventRelay, InProcessPublisher, type ComplaintIntegrationEvent } from '@complaint-ledger/messaging';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { many, record, testReadSide } from '../../projections/test/support/ledger';
import { DutyLease, type LeaseBackend } from '../src/duties/lease';
import { LockLease } from '../src/duties/lock-lease';
import { StreamLease } from '../src/duties/stream-lease';

/**
 * One process at a time runs the ledger's duties: the lease's holder. On one host a lock beside
 * the log, released however its holder ends; across hosts claims in a stream, each standing until
 * it expires. A new holder's relay resumes where the last holder's stopped.
 */
const dir = mkdtempSync(join(tmpdir(), 'ledger-duties-'));
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const lease = (backend: LeaseBackend, holder: string, leaseMs = 3_000, mayHold?: () => boolean) =>
  new DutyLease({ backend, holder, leaseMs, clock: () => new Date().toISOString(), logger: quiet, ...(mayHold ? { mayHold } : {}) });

describe('on one host (the SQLite log): a lock', () => {
  it('is held by one process; the others take it over once it is given up', async () => {
    const path = join(dir, 'duties-1.sqlite');
    const [a, b] = [lease(new LockLease(path), 'a'), lease(new LockLease(path), 'b')];
    await a.start();
    await b.start();
    expect([a.held, b.held]).toEqual([true, false]);
    expect(b.lastSeen?.holder).toBe('a'); // the holder is named where it waits
    await a.stop(); // as at a clean shutdown; a kill -9 releases it the same (the kernel's lock), tested with processes
    await (b as unknown as { claim(): Promise<void> }).claim();
    expect(b.held).toBe(true);
    await b.stop();
  });
});

describe('a process whose clock is off (ClockWatch refuses its writes)', () => {
  it('takes no lease, gives up the one it holds, and acts on none of the duties meanwhile: another takes over at once', async () => {
    const store = new MemoryEventStore();
    let clockOff = false;
    const [a, b] = [lease(new StreamLease(store), 'a', 3_000, () => !clockOff), lease(new StreamLease(store), 'b')];
    await a.start();
    await b.start();
    expect([a.held, b.held]).toEqual([true, false]);

    clockOff = true;

    expect(a.held).toBe(false); // at once, before its next claim
    await (a as unknown as { claim(): Promise<void> }).claim(); // its next claim gives the lease up
    await (b as unknown as { claim(): Promise<void> }).claim();
    expect([a.held, b.held]).toEqual([false, true]);
    clockOff = false;
    await (a as unknown as { claim(): Promise<void> }).claim();
    expect([a.held, b.lastSeen?.holder]).toEqual([false, 'b']); // set right again, it waits its turn
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('across hosts (EventStoreDB): claims in a stream', () => {
  const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();

  it('stands while its holder renews it: a claimant whose clock runs ten minutes ahead does not take it from a live holder', async () => {
    const store = new MemoryEventStore();
    const [holderSide, aheadSide] = [new StreamLease(store), new StreamLease(store)];
    const now = () => new Date().toISOString();
    const later = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(await holderSide.claim('a', now(), later(3_000))).toMatchObject({ holder: 'a' });
    for (let i = 0; i < 3; i++) {
      // by the claimant's clock, 10 minutes on, a's claim ran out long ago; a renews well within its lease all the same
      expect((await aheadSide.claim('b', later(600_000), later(603_000))).holder).toBe('a');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holderSide.claim('a', now(), later(3_000));
    }
  });

  it("a taker with a shorter lease waits for the holder's longer one (a rolling change of LEDGER_DUTIES_LEASE_SECONDS)", async () => {
    const store = new MemoryEventStore();
    const [holderSide, takerSide] = [new StreamLease(store), new StreamLease(store)];
    const now = () => new Date().toISOString();
    const later = (ms: number) => new Date(Date.now() + ms).toISOString();
    await holderSide.claim('a', now(), later(2_400)); // a's lease: 2.4 s, so it acts for 1.6 s after it last asked
    expect((await takerSide.claim('b', now(), later(600))).holder).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // past b's own lease, well within a's
    expect((await takerSide.claim('b', now(), later(600))).holder).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // a whole lease of a's, unrenewed
    expect((await takerSide.claim('b', now(), later(600))).holder).toBe('b');
  });

  it('of two claims at once, one holds and the other sees it', async () => {
    const store = new MemoryEventStore();
    const claims = await Promise.all(['a', 'b', 'c'].map((holder) => new StreamLease(store).claim(holder, t(0), t(15))));
    expect(new Set(claims.map((claim) => claim.holder)).size).toBe(1);
  });

  it("a holder that stops renewing is taken over after a lease by the taker's own clock, however far the holder's clock runs ahead", async () => {
    const store = new MemoryEventStore();
    const [holderSide, takerSide] = [new StreamLease(store), new StreamLease(store)];
    const now = () => new Date().toISOString();
    const later = (ms: number) => new Date(Date.now() + ms).toISOString();
    await holderSide.claim('a', later(3_600_000), later(3_600_000 + 400)); // its clock an hour ahead: expiresAt far off
    expect((await takerSide.claim('b', now(), later(400))).holder).toBe('a'); // seen: it stands
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await takerSide.claim('b', now(), later(400))).holder).toBe('a'); // unrenewed for half a lease: still a's
    await holderSide.claim('a', later(3_600_000), later(3_600_000 + 400)); // renewed
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await takerSide.claim('b', now(), later(400))).holder).toBe('a'); // the renewal seen: the watch starts again
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await takerSide.claim('b', now(), later(400))).holder).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 250)); // a whole lease since the renewal was seen
    expect((await takerSide.claim('b', now(), later(400))).holder).toBe('b');
  });

  it("the relay's position only moves forward: a holder resuming late does not carry it back for the next failover to republish from", async () => {
    const store = new MemoryEventStore();
    const [late, next] = [new StreamLease(store), new StreamLease(store)];
    await next.saveRelayPosition('kafka', 1_500);

    await late.saveRelayPosition('kafka', 1_000); // its batch, published before it was paused

    expect(await next.relayPosition('kafka')).toBe(1_500);
    await late.saveRelayPosition('kafka', 2_000);
    expect(await next.relayPosition('kafka')).toBe(2_000);
    await next.saveRelayPosition('kafka', -1, true); // npm run relay:republish: back on purpose
    expect(await late.relayPosition('kafka')).toBe(-1);
  });

  it('given up at a clean shutdown, is taken at once', async () => {
    const store = new MemoryEventStore();
    const backend = new StreamLease(store);
    await backend.claim('a', t(0), t(15));
    await backend.release('a');
    expect(await backend.claim('b', t(1), t(16))).toEqual({ holder: 'b', expiresAt: t(16) });
  });
});

it("a new holder's relay resumes where the last holder's stopped, on read models of its own: nothing republished", async () => {
  const store = new SqliteEventStore(join(dir, 'log-relay.sqlite'));
  await record(store, ...many(10, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
  const shared = new StreamLease(new MemoryEventStore());
  const publisher = new InProcessPublisher();
  let holder = 'first';
  const relayOf = (name: string) => {
    const readSide = testReadSide(store, join(dir, `rm-relay-${name}.sqlite`)); // each process its own read models
    const relay = new EventRelay({
      store,
      db: readSide.db,
      publisher,
      topics: DEFAULT_TOPICS,
      homes: {},
      clock: () => new Date().toISOString(),
      projectionsPosition: () => readSide.runner.position,
      idleMs: 5,
      mayPublish: () => holder === name,
      checkpoint: { load: (d) => shared.relayPosition(d), save: (d, p, rewind) => shared.saveRelayPosition(d, p, rewind) },
    });
    return { relay, readSide };
  };
  const first = relayOf('first');
  const second = relayOf('second');
  first.relay.start();
  second.relay.start();
  const published = () => publisher.messages(DEFAULT_TOPICS.events).map((m) => (JSON.parse(m.value) as ComplaintIntegrationEvent).eventId);
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => setTimeout(r, 5));
  };
  await until(() => published().length === 20);
  holder = 'second'; // the first holder is gone; the second took the lease
  await record(store, ...many(3, (c) => c.received('2024-07-01T10:00')));
  await until(() => published().length >= 23);
  await new Promise((r) => setTimeout(r, 50));
  expect(published()).toHaveLength(23);
  expect(new Set(published()).size).toBe(23); // each event once
  await first.relay.stop();
  await second.relay.stop();
  // npm run relay:republish, for a consumer that lost its copy: the shared position goes back, and the next holder starts there
  await second.relay.republishFrom(-1);
  expect(await shared.relayPosition(`kafka:${DEFAULT_TOPICS.events}`)).toBe(-1);
  await first.readSide.stop();
  await second.readSide.stop();
  await store.close();
});
