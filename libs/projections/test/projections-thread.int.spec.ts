import { SqliteEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { listComplaints, openReadModelDatabase, ProjectionRunner, ProjectionsThread, readModelProjections, ReadSide } from '../src';
import { ALERTS, ComplaintFacts, many, record, RULES } from './support/ledger';

const dir = mkdtempSync(join(tmpdir(), 'ledger-projections-thread-'));
let n = 0;
const freshPath = (name: string) => join(dir, `${name}-${++n}.sqlite`);

/** A read side whose projections run on their own thread, told of the store's commits. */
function threadedReadSide(store: SqliteEventStore, restartMs?: number) {
  const path = freshPath('rm');
  const db = openReadModelDatabase(path);
  const thread = new ProjectionsThread({
    logPath: store.path,
    projectionsPath: path,
    db,
    rules: RULES,
    alerts: ALERTS,
    onCommit: (listener) => store.onCommit(listener),
    ...(restartMs ? { restartMs } : {}),
  });
  return { db, thread };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !condition();) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const headOf = async (store: SqliteEventStore) => (await store.readAll(-1, 100_000)).at(-1)!.position;

describe('projections on a thread of their own', () => {
  it('given a log, when started, catches up and holds the same read models as the runner on this thread', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    await record(store, ...many(20, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
    const { thread } = threadedReadSide(store);

    await thread.start();

    const here = new ProjectionRunner(store, openReadModelDatabase(freshPath('here')), readModelProjections(RULES, ALERTS));
    await here.catchUp();
    expect(thread.position).toBe(await headOf(store));
    expect(thread.lastFailure).toBeNull();
    expect(thread.dump()).toBe(here.dump());
    expect(thread.dump()).toContain('"status":"open"');
    await thread.stop();
    await store.close();
  });

  it('when events are committed, applies them live and reports its position without being asked', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const { db, thread } = threadedReadSide(store);
    await thread.start();
    expect(thread.position).toBe(-1);

    await record(store, ...many(5, (c) => c.received('2024-06-03T10:00')));

    const head = await headOf(store);
    await until(() => thread.position === head);
    expect(listComplaints(db, {}, undefined, 50).items).toHaveLength(5); // the queries' connection sees what the thread wrote
    await thread.stop();
    await store.close();
  });

  it('catchUp resolves once everything committed is applied; rebuild gives the same read models', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const { thread } = threadedReadSide(store);
    await thread.start();
    await record(store, ...many(10, (c) => c.received('2024-07-01T10:00', 'LCHO').acknowledged(1, '2024-07-02T10:00')));

    const reached = await thread.catchUp();

    expect(reached).toBe(await headOf(store));
    const before = thread.dump();
    expect(await thread.rebuild()).toBe(reached);
    expect(thread.dump()).toBe(before);
    await thread.stop();
    await store.close();
  });

  it('given the thread dies, reports the failure, and a new thread resumes from the checkpoint', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const { thread } = threadedReadSide(store, 200);
    await thread.start();
    await record(store, new ComplaintFacts().received('2024-06-03T10:00'));
    await thread.catchUp();

    await (thread as unknown as { worker: Worker }).worker.terminate();

    await until(() => thread.lastFailure !== null);
    expect(String(thread.lastFailure)).toMatch(/projections thread stopped/);
    await expect(thread.catchUp()).rejects.toThrow(/not running/);
    await record(store, new ComplaintFacts().received('2024-06-04T10:00'));
    await until(() => thread.lastFailure === null); // replaced after restartMs
    expect(await thread.catchUp()).toBe(await headOf(store));
    await thread.stop();
    await store.close();
  });

  it('a ReadSide asked for a thread runs its projections there, and answers queries on its own connection', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const readSide = new ReadSide({
      store,
      path: freshPath('rm'),
      rules: RULES,
      alerts: ALERTS,
      thread: { logPath: store.path, onCommit: (listener) => store.onCommit(listener) },
    });
    expect(readSide.runner).toBeInstanceOf(ProjectionsThread);
    await readSide.start();
    await record(store, ...many(3, (c) => c.received('2024-06-03T10:00')));
    await readSide.runner.catchUp();
    expect(listComplaints(readSide.db, {}, undefined, 50).items).toHaveLength(3);
    await readSide.stop();
    await store.close();
  });
});
