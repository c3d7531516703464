import { SqliteEventStore, StoreUnavailable } from '@complaint-ledger/event-store';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../../event-store/test/contract';
import { DataKeyStore, ERASED, PersonalDataCipher, type SyncFile } from '../src';
import { scaled } from '../../../test/support/timeouts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-erasure-'));
const NOW = '2026-11-23T12:00:00.000Z';

describe('the personal-data cipher', () => {
  it('encrypts only the listed fields (free text too), with a fresh IV each time, and reveals them until the key is destroyed', () => {
    const keys = new DataKeyStore(':memory:', Buffer.alloc(32, 2));
    const cipher = new PersonalDataCipher(keys, () => NOW);
    const event = {
      type: 'ComplaintReceived' as const,
      data: { complaintId: 'c', resident: { reference: 'R1', name: 'Ann', email: 'a@example.org' }, summary: 'Leak', category: 'repairs' },
    };
    const first = cipher.protect(event as never, 'R1') as typeof event.data;
    const second = cipher.protect(event as never, 'R1') as typeof event.data;
    expect(first.resident.reference).toBe('R1');
    expect(first.category).toBe('repairs');
    expect(first.summary).toMatch(/^enc:v1:/);
    expect(first.resident.name).toMatch(/^enc:v1:/);
    expect(first.resident.name).not.toBe(second.resident.name);
    expect(cipher.reveal(first)).toEqual(event.data);
    keys.erase('R1', NOW, 'test', 'request');
    expect(cipher.reveal(first)).toEqual({ ...event.data, summary: ERASED, resident: { reference: 'R1', name: ERASED, email: ERASED } });
    const afterwards = cipher.protect(event as never, 'R1'); // personal data given after an erasure gets a new key
    expect(cipher.reveal(afterwards)).toEqual(event.data);
    expect(cipher.reveal(first)).toMatchObject({ resident: { name: ERASED } }); // the old stays unreadable
    keys.close();
  });

  it('never gives two values the same IV (drawn from a pooled random buffer, refilled as it runs out)', () => {
    const keys = new DataKeyStore(':memory:', Buffer.alloc(32, 2));
    const cipher = new PersonalDataCipher(keys, () => NOW);
    const names = Array.from({ length: 1000 }, (_, i) => `Resident ${i}`); // ~4 refills of the pool
    const sealed = names.map(
      (name) => cipher.protect({ type: 'RepresentativeAuthorised', data: { name } } as never, 'R1') as { name: string },
    );
    const ivs = new Set(sealed.map(({ name }) => name.split(':')[3]));
    expect(ivs.size).toBe(names.length);
    expect(sealed.map((value) => cipher.reveal(value).name)).toEqual(names);
    keys.close();
  });

  it('waits for another program writing the key file, instead of refusing the new key', async () => {
    const path = join(dir, 'outside-writer.sqlite');
    new DataKeyStore(path, Buffer.alloc(32, 6)).close();
    // another process (a second replica, an operator's tool) holds the file's write lock for half a second
    const outsider = spawn(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS outside (x)'); console.log('locked');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, 500);`,
    ]);
    const gone = new Promise((resolve) => outsider.once('exit', resolve));
    await new Promise((resolve) => outsider.stdout.once('data', resolve));
    const keys = new DataKeyStore(path, Buffer.alloc(32, 6));
    const made = keys.keyFor('R-WAITS', NOW);
    await expect(keys.durable()).resolves.toBeUndefined(); // written once the lock is free, then fsynced
    expect(keys.find(made.id)).toEqual(made.key);
    keys.close();
    await gone;
  });

  it('trusts no remembered key once another process has erased its resident: it neither decrypts nor encrypts new data', async () => {
    const path = join(dir, 'two-processes.sqlite');
    const api = new DataKeyStore(path, Buffer.alloc(32, 5));
    const other = new DataKeyStore(path, Buffer.alloc(32, 5)); // a second replica, or the erasure CLI
    const first = api.keyFor('R3', NOW);
    await api.durable(); // as a command does before it appends
    expect(api.find(first.id)).toEqual(first.key); // remembered in this process
    other.erase('R3', NOW, 'dpo', 'request');
    expect(api.find(first.id)).toBeNull();
    const next = api.keyFor('R3', NOW);
    await api.durable();
    expect(next.id).not.toBe(first.id); // new personal data gets a key that still exists
    expect(other.find(next.id)).toEqual(next.key);
    api.close();
    other.close();
  });

  it('writes a new key and has it synced before durable() settles, one group for the keys made meanwhile', async () => {
    const path = join(dir, 'groups.sqlite');
    const api = new DataKeyStore(path, Buffer.alloc(32, 6));
    const other = new DataKeyStore(path, Buffer.alloc(32, 6));
    expect(api.durable()).toBeNull(); // no new key: nothing to wait for
    const first = api.keyFor('R4', NOW);
    const firstDurable = api.durable()!; // writes R4's key and starts the fsync
    expect(other.find(first.id)).toEqual(first.key);
    const second = api.keyFor('R5', NOW); // made while that fsync runs
    const third = api.keyFor('R6', NOW);
    const laterDurable = api.durable()!;
    expect(other.find(second.id)).toBeNull(); // the next group, written once the fsync in flight is done
    await firstDurable;
    await laterDurable;
    expect([other.find(second.id), other.find(third.id)]).toEqual([second.key, third.key]);
    expect(api.keyFor('R5', NOW)).toEqual(second); // the subject keeps its key
    expect(api.durable()).toBeNull();
    api.close();
    other.close();
  });

  it("erases a key made a moment ago along with the rest of its resident's keys", () => {
    const path = join(dir, 'erase-unwritten.sqlite');
    const api = new DataKeyStore(path, Buffer.alloc(32, 7));
    const { id } = api.keyFor('R7', NOW); // not yet written: no durable() asked for it
    expect(api.erase('R7', NOW, 'dpo', 'request')).toBe(true);
    expect(api.find(id)).toBeNull();
    api.close();
    const reopened = new DataKeyStore(path, Buffer.alloc(32, 7));
    expect(reopened.find(id)).toBeNull();
    reopened.close();
  });

  it("handed to the SQLite log, a new key is written with the log's next batch and synced before it commits", async () => {
    const keysPath = join(dir, 'by-the-log.sqlite');
    const keys = new DataKeyStore(keysPath, Buffer.alloc(32, 8));
    const other = new DataKeyStore(keysPath, Buffer.alloc(32, 8));
    const store = new SqliteEventStore(join(dir, 'by-the-log-events.sqlite'), undefined, { writerThread: true });
    store.dependOn(keys.commitDependency()!);
    const key = keys.keyFor('R8', NOW);
    expect(keys.durable()).toBeNull(); // nothing for the command to wait for: the log's commit sees to it
    expect(other.find(key.id)).toBeNull();
    await store.append('complaint-r8', [newEvent('ComplaintReceived')], 'no_stream');
    expect(other.find(key.id)).toEqual(key.key);
    await store.close();
    keys.close();
    other.close();
  });

  it(
    "when the log's batch cannot write the new keys, it fails (503) with nothing appended, and those keys are never used",
    async () => {
      const keysPath = join(dir, 'locked.sqlite');
      const keys = new DataKeyStore(keysPath, Buffer.alloc(32, 9));
      const store = new SqliteEventStore(join(dir, 'locked-events.sqlite'), undefined, { writerThread: true });
      store.dependOn(keys.commitDependency()!);
      const locker = new Database(keysPath);
      locker.exec('BEGIN IMMEDIATE'); // another process holds the key file's write lock past the busy timeout
      const dropped = keys.keyFor('R9', NOW);
      const event = newEvent('ComplaintReceived');
      await expect(store.append('complaint-r9', [event], 'no_stream')).rejects.toThrow(/data-key file could not be written/);
      locker.exec('ROLLBACK');
      locker.close();
      expect(await store.readAll(-1, 10)).toEqual([]);
      const next = keys.keyFor('R9', NOW);
      expect(next.id).not.toBe(dropped.id);
      expect(keys.find(dropped.id)).toBeNull();
      await store.append('complaint-r9', [event], 'no_stream');
      await store.close();
      keys.close();
      expect(new DataKeyStore(keysPath, Buffer.alloc(32, 9)).find(next.id)).toEqual(next.key);
    },
    scaled(30_000),
  );

  it("once the log's fsync of the key file failed, no key is trusted to reach the disk: every command is refused (503)", async () => {
    const keys = new DataKeyStore(join(dir, 'sync-failed.sqlite'), Buffer.alloc(32, 10));
    const dependency = keys.commitDependency()!;
    keys.keyFor('R10', NOW);
    const mark = dependency.prepare()!; // a new key written: the log must fsync the file before its commit
    expect(mark).not.toBeNull();
    dependency.synced(mark);
    expect(dependency.prepare()).toBeNull(); // nothing new since
    keys.keyFor('R11', NOW);
    expect(dependency.prepare()).not.toBeNull();
    dependency.syncFailed(new StoreUnavailable('fsync: EIO'));
    expect(() => keys.keyFor('R12', NOW)).toThrow('fsync: EIO');
    expect(() => dependency.prepare()).toThrow('fsync: EIO');
    await expect(keys.durable()).rejects.toThrow('fsync: EIO');
    keys.close();
  });

  it('when its own fsync fails (the EventStoreDB path), the waiting command and every later one are refused (503)', async () => {
    const failingSync: SyncFile = (_fd, done) =>
      void setImmediate(() => done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
    const keys = new DataKeyStore(join(dir, 'own-sync-failed.sqlite'), Buffer.alloc(32, 11), failingSync);
    keys.keyFor('R13', NOW);
    const waiting = keys.durable()!;
    await expect(waiting).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(waiting).rejects.toThrow('the data-key file could not be synced to disk: EIO');
    await expect(waiting).rejects.toMatchObject({ untilRestart: true }); // the client is told a retry here is no use
    expect(() => keys.keyFor('R14', NOW)).toThrow(/could not be synced/);
    await expect(keys.durable()).rejects.toThrow(/could not be synced/);
    keys.close();
  });

  it('cannot read data keys without the master key they were wrapped with', () => {
    const path = join(dir, 'wrapped.sqlite');
    const keys = new DataKeyStore(path, Buffer.alloc(32, 3));
    const { id } = keys.keyFor('R2', NOW);
    keys.close();
    expect(() => new DataKeyStore(path, Buffer.alloc(32, 4)).find(id)).toThrow();
  });

  it("opens a key file indexed the earlier way: a resident's first key stays current, and it is found by the new index", () => {
    const path = join(dir, 'earlier-index.sqlite');
    const earlier = new Database(path);
    earlier.exec(`CREATE TABLE data_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX data_keys_subject ON data_keys (subject);`);
    earlier.close();
    const first = new DataKeyStore(path, Buffer.alloc(32, 5));
    const firstKey = first.keyFor('R3', '2026-01-01T00:00:00.000Z');
    first.close();
    // another process gave R3 a later key too (two replicas racing on a new resident)
    const other = new DataKeyStore(join(dir, 'other.sqlite'), Buffer.alloc(32, 5));
    other.keyFor('R3', NOW);
    other.close();
    const raw = new Database(path);
    raw.exec(`ATTACH '${join(dir, 'other.sqlite')}' AS other; INSERT INTO data_keys SELECT * FROM other.data_keys`);
    raw.close();

    const reopened = new DataKeyStore(path, Buffer.alloc(32, 5));
    expect(reopened.keyFor('R3', NOW).id).toBe(firstKey.id);
    reopened.close();
    const db = new Database(path);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT key_id FROM data_keys WHERE subject = ? ORDER BY created_at, rowid LIMIT 1')
      .all('R3') as { detail: string }[];
    db.close();
    expect(plan.map((step) => step.detail)).toEqual([expect.stringContaining('USING INDEX data_keys_subject_created')]);
  });
});
