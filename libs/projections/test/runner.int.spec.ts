import { PAGE_CACHE_KIB, SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertProjection, complaintProjection, listComplaints, openReadModelDatabase, ProjectionRunner } from '../src';
import { ALERTS, ComplaintFacts, many, record, RULES } from './support/ledger';
import { scaled } from '../../../test/support/timeouts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-projections-'));
let n = 0;
const freshPath = (name: string) => join(dir, `${name}-${++n}.sqlite`);
const projections = () => [complaintProjection(RULES, ALERTS), alertProjection()];

async function seed(store: EventStore) {
  await record(
    store,
    ...many(30, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00').responded(1, '2024-06-10T10:00')),
    ...many(20, (c) => c.received('2024-07-01T10:00', 'LCHO').acknowledged(1, '2024-07-02T10:00')),
    ...many(5, (c) => c.received('2024-08-01T10:00').notAccepted('2024-08-02T10:00')),
  );
}

it('a read-model connection caches at most PAGE_CACHE_KIB of its pages, however large its file grows', () => {
  const db = openReadModelDatabase(freshPath('cache'));
  expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
  db.close();
});

describe('the projection runner', () => {
  it('rebuilding from zero gives byte-identical read models to incremental processing', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const incremental = new ProjectionRunner(store, openReadModelDatabase(freshPath('incremental')), projections(), {
      batchSize: 7,
      liveBatchMs: 0,
    });
    await incremental.start(); // live, each event as it commits, in batches of at most 7, while the log is written
    await seed(store);
    const head = (await store.readAll(-1, 100_000)).at(-1)!.position;
    await incremental.waitFor(head);
    await incremental.stop();

    const rebuilt = new ProjectionRunner(store, openReadModelDatabase(freshPath('rebuilt')), projections(), { batchSize: 1000 });
    await rebuilt.rebuild();
    expect(rebuilt.position).toBe(head);
    expect(rebuilt.dump()).toBe(incremental.dump());
    expect(rebuilt.dump()).toContain('"status":"open"');
    await incremental.rebuild(); // and the same runner rebuilding in place
    expect(incremental.dump()).toBe(rebuilt.dump());
    await store.close();
  });

  it('applies a live event at once when idle, and under load gathers events for liveBatchMs into one transaction', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const live = new ProjectionRunner(store, openReadModelDatabase(freshPath('live')), projections(), { liveBatchMs: 2000 });
    await live.start();
    await seed(store); // ~150 events in many appends, each delivered to the runner as it commits
    const head = (await store.readAll(-1, 100_000)).at(-1)!.position;
    expect(live.position).toBeGreaterThan(-1); // the first came to an idle read side: applied at once
    expect(live.position).toBeLessThan(head); // the rest are gathering
    await live.waitFor(head, scaled(30_000)); // applied when the interval had passed, without anyone asking
    const rebuilt = new ProjectionRunner(store, openReadModelDatabase(freshPath('rebuilt')), projections());
    await rebuilt.rebuild();
    expect(live.dump()).toBe(rebuilt.dump());
    await new Promise((resolve) => setTimeout(resolve, 2000)); // idle again
    await record(store, new ComplaintFacts().received('2024-09-02T10:00'));
    await live.waitFor(head + 1, 500); // at once, not 2 s later
    await live.stop();
    await store.close();
  });

  it('applying an event again changes nothing', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    await seed(store);
    const runner = new ProjectionRunner(store, openReadModelDatabase(freshPath('rm')), projections());
    await runner.catchUp();
    const before = runner.dump();
    const all = await store.readAll(-1, 100_000);
    runner.apply(all); // the whole log again
    runner.apply(all.slice(10, 20)); // and a slice from the middle
    expect(runner.dump()).toBe(before);
    await store.close();
  });

  it('resumes from its checkpoint after a restart, applying only what is new', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const path = freshPath('rm');
    await seed(store);
    const first = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    await first.catchUp();
    const late = new ComplaintFacts().received('2024-09-02T10:00', 'LCHO');
    await record(store, late);
    const second = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    expect(second.position).toBe(first.position);
    await second.catchUp();
    const { items } = listComplaints(openReadModelDatabase(path), { tenure: 'LCHO' }, undefined, 100);
    expect(items.map((i) => i.id)).toContain(late.id);
    expect(items).toHaveLength(21);
    await store.close();
  });

  it('rebuilds a read model whose projection version changed', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const path = freshPath('rm');
    await seed(store);
    const runner = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    await runner.catchUp();
    const shorter = complaintProjection({ ...RULES, landlordTimescales: { stage1ResponseDays: 8 } }, ALERTS);
    const changed = new ProjectionRunner(store, openReadModelDatabase(path), [shorter, alertProjection()]);
    expect(changed.position).toBe(-1);
    await changed.catchUp();
    expect(changed.position).toBe(runner.position);
    await store.close();
  });

  it('lists complaints newest first, filtered, in pages that join up', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    await seed(store);
    const db = openReadModelDatabase(freshPath('rm'));
    await new ProjectionRunner(store, db, projections()).catchUp();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = listComplaints(db, { status: 'responded' }, cursor, 7);
      seen.push(...page.items.map((i) => i.id));
      expect(page.items.every((i) => i.status === 'responded' && i.tenure === 'LCRA')).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(30);
    expect(listComplaints(db, { status: 'not_accepted' }, undefined, 50).items).toHaveLength(5);
    expect(listComplaints(db, { receivedFrom: '2024-07-01', receivedTo: '2024-07-31' }, undefined, 50).items).toHaveLength(20);
    await store.close();
  });
});
