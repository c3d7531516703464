import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import {
  chain,
  DependencyNotSynced,
  DuplicateEventId,
  GENESIS_HASH,
  PAGE_CACHE_KIB,
  SqliteEventStore,
  StoreUnavailable,
  verifyChain,
  type CommitDependency,
  type NewEvent,
} from '../src';
import { openLogConnection } from '../src/adapters/sqlite-appender';
import { authenticatedStoreContract, eventStoreContract, newEvent } from './contract';
import { scaled } from '../../../test/support/timeouts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `ledger-${++n}.sqlite`);

describe('SqliteEventStore honours the event-store contract', () =>
  eventStoreContract(async () => new SqliteEventStore(freshPath()), {
    uniqueEventIdsAcrossStreams: SqliteEventStore.uniqueEventIdsAcrossStreams,
  }));

describe('SqliteEventStore committing on a writer thread honours the event-store contract', () =>
  eventStoreContract(async () => new SqliteEventStore(freshPath(), undefined, { writerThread: true }), {
    uniqueEventIdsAcrossStreams: SqliteEventStore.uniqueEventIdsAcrossStreams,
  }));

describe('SqliteEventStore with an event key, on its own connection and on a writer thread', () => {
  describe('inline', () => authenticatedStoreContract(async (eventKey) => new SqliteEventStore(freshPath(), undefined, { eventKey })));
  describe('writer thread', () =>
    authenticatedStoreContract(async (eventKey) => new SqliteEventStore(freshPath(), undefined, { writerThread: true, eventKey })));
});

/** A log as layout version 1 wrote it: both indexes keyed by strings, event ids unique across streams. */
function writeVersion1Log(path: string, appends: readonly (readonly [stream: string, event: NewEvent])[]): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
    event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
    UNIQUE (stream_id, revision))`);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const heads = new Map<string, { revision: number; hash: string }>();
  for (const [stream, event] of appends) {
    const head = heads.get(stream) ?? { revision: -1, hash: GENESIS_HASH };
    const recorded = chain(stream, head.revision + 1, event, head.hash, '2025-06-01T09:00:00.000Z');
    insert.run(
      stream,
      recorded.revision,
      recorded.eventId,
      recorded.type,
      JSON.stringify(recorded.data),
      JSON.stringify(recorded.metadata),
    );
    heads.set(stream, { revision: recorded.revision, hash: recorded.metadata.hash });
  }
  db.close();
}

describe('SqliteEventStore specifics', () => {
  it('a connection to the log caches at most PAGE_CACHE_KIB of its pages, not better-sqlite3’s 16 MB (memory flat as the log grows)', () => {
    const db = openLogConnection(freshPath());
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBeLessThan(16_000);
    db.close();
  });

  it('keeps everything across a close and reopen of the same file', async () => {
    const path = freshPath();
    const first = new SqliteEventStore(path);
    await first.append('complaint-a', [newEvent(), newEvent()], 'no_stream');
    await first.close();
    const second = new SqliteEventStore(path);
    const read = await second.readStream('complaint-a');
    expect(read).toHaveLength(2);
    await second.append('complaint-a', [newEvent()], 1);
    expect(await second.readStream('complaint-a')).toHaveLength(3);
    await second.close();
  });

  it('a read-only connection reads what another wrote and refuses an append (503), writing nothing', async () => {
    const path = freshPath();
    const writer = new SqliteEventStore(path);
    await writer.append('complaint-a', [newEvent()], 'no_stream');
    const reader = new SqliteEventStore(path, undefined, { readOnly: true });

    expect(await reader.readStream('complaint-a')).toHaveLength(1);
    await expect(reader.append('complaint-a', [newEvent()], 0)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await writer.readStream('complaint-a')).toHaveLength(1);
    await reader.close();
    await writer.close();
  });

  it('upgrades a version 1 log in place: every event keeps its position and hash, retries are recognised, appends go on', async () => {
    const path = freshPath();
    const [a0, b0, a1] = [newEvent('ComplaintReceived'), newEvent('ComplaintReceived'), newEvent('Acknowledged')];
    writeVersion1Log(path, [
      ['complaint-a', a0],
      ['complaint-b', b0],
      ['complaint-a', a1],
    ]);
    const v1 = new Database(path, { readonly: true });
    const before = v1.prepare('SELECT * FROM events ORDER BY position').all();
    v1.close();

    const store = new SqliteEventStore(path);
    expect(store.layoutUpgrade).toMatchObject({ from: 1, to: 2, events: 3 });
    const after = await store.readAll(-1, 10);
    expect(after.map((e) => [e.position, e.streamId, e.revision, e.eventId])).toEqual([
      [1, 'complaint-a', 0, a0.eventId],
      [2, 'complaint-b', 0, b0.eventId],
      [3, 'complaint-a', 1, a1.eventId],
    ]);
    expect(after.map((e) => JSON.stringify([e.data, e.metadata]))).toEqual(
      (before as { data: string; metadata: string }[]).map((row) => JSON.stringify([JSON.parse(row.data), JSON.parse(row.metadata)])),
    );
    expect(verifyChain(await store.readStream('complaint-a'))).toMatchObject({ valid: true, events: 2 });
    expect(await store.append('complaint-a', [a1], 0)).toEqual({ revision: 1, position: 3, written: false });
    expect(await store.append('complaint-a', [newEvent()], 1)).toEqual({ revision: 2, position: 4, written: true });
    expect(verifyChain(await store.readStream('complaint-a'))).toMatchObject({ valid: true, events: 3 });
    await store.close();

    const reopened = new SqliteEventStore(path); // already upgraded: opens as it is
    expect(reopened.layoutUpgrade).toBeNull();
    expect(await reopened.readAll(-1, 10)).toHaveLength(4);
    expect(await reopened.append('complaint-c', [newEvent()], 'no_stream')).toMatchObject({ revision: 0, position: 5 });
    await reopened.close();
  });

  it('groups concurrent appends into one transaction, failing only the conflicting one', async () => {
    const store = new SqliteEventStore(freshPath());
    await store.append('complaint-x', [newEvent()], 'no_stream');
    const appends = Array.from({ length: 50 }, (_, i) => store.append(`complaint-${i}`, [newEvent()], 'no_stream'));
    const stale = store.append('complaint-x', [newEvent()], 5);
    const results = await Promise.allSettled([...appends, stale]);
    expect(results.slice(0, 50).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[50]!.status).toBe('rejected');
    expect(await store.readAll(-1, 1000)).toHaveLength(51);
    await store.close();
  });

  it('in one group commit, an append refused at its second event writes nothing and the rest of the batch is written', async () => {
    const store = new SqliteEventStore(freshPath());
    const used = newEvent();
    await store.append('complaint-x', [used], 'no_stream');
    await store.append('complaint-y', [newEvent()], 'no_stream');
    const [refused, other, fresh, sameStream] = await Promise.allSettled([
      store.append('complaint-x', [newEvent(), used], 0), // refused by the (stream, event id) index mid-statement
      store.append('complaint-y', [newEvent(), newEvent()], 0),
      store.append('complaint-z', [newEvent(), newEvent()], 'no_stream'),
      store.append('complaint-x', [newEvent()], 0), // after the refused one, in the same transaction
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(DuplicateEventId) });
    expect([other, fresh, sameStream].map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect((await store.readStream('complaint-x')).map((e) => e.revision)).toEqual([0, 1]);
    expect(await store.readStream('complaint-y')).toHaveLength(3);
    expect(await store.readStream('complaint-z')).toHaveLength(2);
    for (const stream of ['complaint-x', 'complaint-y', 'complaint-z'])
      expect(verifyChain(await store.readStream(stream)).valid).toBe(true);
    await store.close();
  });

  it('when SQLite abandons the transaction (disk full), the whole batch fails and nothing of it is written', async () => {
    const store = new SqliteEventStore(freshPath());
    await store.append('complaint-a', [newEvent()], 'no_stream');
    await store.append('complaint-b', [newEvent()], 'no_stream');
    const db = (store as unknown as { db: Database.Database }).db;
    const before = await store.readAll(-1, 1000);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`); // no page more
    const big: NewEvent = { ...newEvent(), data: { text: 'x'.repeat(20_000) } }; // needs new pages: SQLITE_FULL
    // the small one would fit in the pages there are; written after SQLite gave up the transaction,
    // it would be committed on its own and then reported as failed with the rest
    const results = await Promise.allSettled([store.append('complaint-a', [big], 0), store.append('complaint-b', [newEvent()], 0)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await store.readAll(-1, 1000)).toEqual(before);
    db.pragma('max_page_count = 1073741823');
    await store.append('complaint-b', [newEvent()], 0);
    expect(await store.readStream('complaint-b')).toHaveLength(2);
    await store.close();
  });

  it('remembers a stream key only once committed: a key rolled back with its batch goes to another stream', async () => {
    const store = new SqliteEventStore(freshPath());
    await store.append('complaint-a', [newEvent()], 'no_stream');
    const db = (store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const big: NewEvent = { ...newEvent(), data: { text: 'x'.repeat(20_000) } };
    // complaint-b is created in the batch, then the batch is given up (disk full): its key is free again
    const results = await Promise.allSettled([
      store.append('complaint-b', [newEvent()], 'no_stream'),
      store.append('complaint-a', [big], 0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    db.pragma('max_page_count = 1073741823');
    await store.append('complaint-c', [newEvent()], 'no_stream'); // takes the key complaint-b had
    await store.append('complaint-b', [newEvent(), newEvent()], 'no_stream');
    await store.append('complaint-b', [newEvent()], 1);
    expect((await store.readStream('complaint-b')).map((e) => e.revision)).toEqual([0, 1, 2]);
    expect((await store.readStream('complaint-c')).map((e) => e.revision)).toEqual([0]);
    for (const stream of ['complaint-a', 'complaint-b', 'complaint-c'])
      expect(verifyChain(await store.readStream(stream)).valid).toBe(true);
    await store.close();
  });

  it(
    'on a writer thread: a batch the writer cannot commit fails whole (503), nothing of it written, and appends go on after',
    async () => {
      const path = freshPath();
      const store = new SqliteEventStore(path, undefined, { writerThread: true });
      await store.append('complaint-a', [newEvent()], 'no_stream');
      const before = await store.readAll(-1, 1000);
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock past the writer's busy_timeout (5 s)
      const results = await Promise.allSettled([
        store.append('complaint-a', [newEvent()], 0),
        store.append('complaint-b', [newEvent()], 'no_stream'),
      ]);
      other.exec('ROLLBACK');
      other.close();
      expect(results).toEqual([
        { status: 'rejected', reason: expect.any(StoreUnavailable) },
        { status: 'rejected', reason: expect.any(StoreUnavailable) },
      ]);
      expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/could not commit: database is locked/);
      expect(await store.readAll(-1, 1000)).toEqual(before);
      await store.append('complaint-a', [newEvent()], 0);
      expect(verifyChain(await store.readStream('complaint-a')).valid).toBe(true);
      await store.close();
    },
    scaled(30_000),
  );

  it('on a writer thread: if the thread dies, the appends in flight fail (503) whole or not at all, and a new thread takes over', async () => {
    const store = new SqliteEventStore(freshPath(), undefined, { writerThread: true });
    await store.append('complaint-a', [newEvent()], 'no_stream'); // the thread is running
    const inFlight = store.append('complaint-a', [newEvent(), newEvent()], 0);
    await new Promise((resolve) => setImmediate(resolve)); // the batch has been sent
    const writer = (store as unknown as { writer: { running: { worker: { terminate(): Promise<number> } } } }).writer;
    await writer.running.worker.terminate();
    await expect(inFlight).rejects.toBeInstanceOf(StoreUnavailable);
    const written = await store.readStream('complaint-a');
    expect([1, 3]).toContain(written.length); // its outcome is unknown to the client, but never half a batch
    await store.append('complaint-a', [newEvent()], written.length - 1);
    expect(verifyChain(await store.readStream('complaint-a')).valid).toBe(true);
    await store.close();
  });

  it('on a writer thread: a committed batch is settled as the next append arrives, not when the event loop next reads messages', async () => {
    const store = new SqliteEventStore(freshPath(), undefined, { writerThread: true });
    await store.append('complaint-a', [newEvent()], 'no_stream'); // the thread is running
    let settled = false;
    const first = store.append('complaint-a', [newEvent()], 0).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve)); // the batch has been sent
    // this thread is busy (as with requests to serve) for longer than the writer needs: its answer is waiting
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    const second = store.append('complaint-b', [newEvent()], 'no_stream');
    for (let turn = 0; turn < 20 && !settled; turn++) await Promise.resolve(); // microtasks only: no message is delivered
    expect(settled).toBe(true);
    await Promise.all([first, second]);
    expect((await store.readStream('complaint-a')).map((e) => e.revision)).toEqual([0, 1]);
    await store.close();
  });

  it('appends while another connection writes the same file all the time (the worker beside the API): none refused', async () => {
    const path = freshPath();
    const store = new SqliteEventStore(path);
    await store.append('complaint-first', [newEvent()], 'no_stream'); // the file and its layout exist
    // another writer on its own thread, committing small transactions to the same file as fast as it can
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const other = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
       const db = new Database(workerData.path);
       db.pragma('busy_timeout = 5000');
       db.exec('CREATE TABLE IF NOT EXISTS other_writer (at TEXT)');
       const insert = db.prepare('INSERT INTO other_writer VALUES (?)');
       const stop = new Int32Array(workerData.stop);
       insert.run('started');
       parentPort.postMessage('started');
       let writes = 1;
       while (Atomics.load(stop, 0) === 0) { insert.run(String(Date.now())); writes++; }
       db.close();
       parentPort.postMessage(writes);`,
      { eval: true, workerData: { path, stop: stop.buffer } },
    );
    await new Promise((started) => other.once('message', started));
    const otherWrites = new Promise<number>((resolve) => other.once('message', resolve));
    const refused: unknown[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        let revision: number | 'no_stream' = 'no_stream';
        for (let i = 0; i < 40; i++) {
          try {
            revision = (await store.append(`complaint-${writer}`, [newEvent()], revision)).revision;
          } catch (error) {
            refused.push(error);
            return;
          }
        }
      }),
    );
    Atomics.store(stop, 0, 1);
    expect(await otherWrites).toBeGreaterThan(1);
    await other.terminate();
    expect(refused).toEqual([]);
    for (let writer = 0; writer < 16; writer++)
      expect(verifyChain(await store.readStream(`complaint-${writer}`))).toMatchObject({ valid: true, events: 40 });
    await store.close();
  });

  it('a live subscription sees events another process wrote to the same file (the worker beside the API)', async () => {
    const path = freshPath();
    const api = new SqliteEventStore(path);
    const worker = new SqliteEventStore(path, undefined, { pollIntervalMs: 20 }); // another connection: no shared commit signal
    const seen: string[] = [];
    const subscription = worker.subscribe(-1, (event) => void seen.push(event.streamId));
    await api.append('complaint-from-api', [newEvent()], 'no_stream');
    const started = Date.now();
    while (seen.length === 0 && Date.now() - started < scaled(30_000)) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['complaint-from-api']);
    await subscription.close();
    await api.close();
    await worker.close();
  });
});

/**
 * A commit dependency that records what the log asked of it (the data-key store is the real one):
 * `prepare` returns the given marks in turn, -1 standing for a write that fails.
 */
function recordingDependency(path: string, marks: (number | null)[]) {
  const calls: string[] = [];
  let next = 0;
  const dependency: CommitDependency = {
    path,
    prepare: () => {
      const mark = marks[next++] ?? null;
      calls.push(`prepare -> ${mark}`);
      if (mark === -1) throw new StoreUnavailable('the dependency could not be written');
      return mark;
    },
    synced: (mark) => void calls.push(`synced ${mark}`),
    syncFailed: (error) => void calls.push(`syncFailed: ${error.message}`),
  };
  return { dependency, calls };
}

describe.each([
  ['on its own connection', false],
  ['on a writer thread', true],
])('SqliteEventStore with a commit dependency (the data keys), committing %s', (_, writerThread) => {
  const dependencyFile = join(dir, 'dependency');
  writeFileSync(dependencyFile, 'written by the dependency');

  it('has the dependency write before each batch, and tells it a batch committed after the fsync it asked for', async () => {
    const store = new SqliteEventStore(freshPath(), undefined, { writerThread });
    const { dependency, calls } = recordingDependency(dependencyFile, [1, null, 2]);
    store.dependOn(dependency);
    await store.append('complaint-a', [newEvent()], 'no_stream');
    await store.append('complaint-a', [newEvent()], 0);
    await Promise.all([store.append('complaint-a', [newEvent()], 1), store.append('complaint-b', [newEvent()], 'no_stream')]);
    expect(calls).toEqual(['prepare -> 1', 'synced 1', 'prepare -> null', 'prepare -> 2', 'synced 2']);
    expect(await store.readAll(-1, 100)).toHaveLength(4);
    await store.close();
  });

  it('when the dependency cannot write, the batch fails (503) and nothing of it is written', async () => {
    const store = new SqliteEventStore(freshPath(), undefined, { writerThread });
    const { dependency, calls } = recordingDependency(dependencyFile, [null, -1, null]);
    store.dependOn(dependency);
    await store.append('complaint-a', [newEvent()], 'no_stream');
    await expect(store.append('complaint-a', [newEvent()], 0)).rejects.toThrow('the dependency could not be written');
    await store.append('complaint-b', [newEvent()], 'no_stream');
    expect(calls).toEqual(['prepare -> null', 'prepare -> -1', 'prepare -> null']);
    expect((await store.readAll(-1, 100)).map((e) => e.streamId)).toEqual(['complaint-a', 'complaint-b']);
    await store.close();
  });

  it('when the fsync it asked for fails, the batch fails (503), nothing of it is written, and the dependency is told', async () => {
    const store = new SqliteEventStore(freshPath(), undefined, { writerThread });
    // fsync of a character device fails (EINVAL): the failure a disk's write-back error would give
    const { dependency, calls } = recordingDependency('/dev/null', [null, 5]);
    store.dependOn(dependency);
    await store.append('complaint-a', [newEvent()], 'no_stream');
    const failed = store.append('complaint-a', [newEvent()], 0);
    await expect(failed).rejects.toBeInstanceOf(DependencyNotSynced);
    await expect(failed).rejects.toThrow(/could not be synced: EINVAL/);
    await expect(failed).rejects.toMatchObject({ untilRestart: true }); // also as decoded from the writer thread
    expect(calls).toEqual(['prepare -> null', 'prepare -> 5', expect.stringMatching(/^syncFailed: .*EINVAL/)]);
    expect(await store.readAll(-1, 100)).toHaveLength(1);
    await store.close();
  });
});
