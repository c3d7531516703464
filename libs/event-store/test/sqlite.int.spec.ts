import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src';
import { eventStoreContract, newEvent } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `ledger-${++n}.sqlite`);

describe('SqliteEventStore honours the event-store contract', () => eventStoreContract(async () => new SqliteEventStore(freshPath())));

describe('SqliteEventStore specifics', () => {
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

  it('a live subscription sees events another process wrote to the same file (the worker beside the API)', async () => {
    const path = freshPath();
    const api = new SqliteEventStore(path);
    const worker = new SqliteEventStore(path, undefined, 20); // another connection: no shared commit signal
    const seen: string[] = [];
    const subscription = worker.subscribe(-1, (event) => void seen.push(event.streamId));
    await api.append('complaint-from-api', [newEvent()], 'no_stream');
    const started = Date.now();
    while (seen.length === 0 && Date.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['complaint-from-api']);
    await subscription.close();
    await api.close();
    await worker.close();
  });
});
