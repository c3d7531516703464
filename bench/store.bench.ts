/**
 * npm run bench:store — appends/s of the SQLite adapter beside raw better-sqlite3 inserts at the
 * same durability (WAL, synchronous=FULL), in the same run. Both sides see the same offered load:
 * `concurrency` writers, each waiting for its write to be durable before the next (as HTTP
 * clients do), one event per write, for `seconds` each, alternating A/B/A/B.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type NewEvent } from '@complaint-ledger/event-store';
import { medianBy } from './support/median';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));

const event = (): NewEvent => ({
  eventId: randomUUID(),
  type: 'CorrespondenceRecorded',
  data: {
    complaintId: randomUUID(),
    occurredAt: '2024-05-01T09:00:00.000Z',
    direction: 'inbound',
    party: 'resident',
    channel: 'phone',
    summary: 'Resident called for an update',
  },
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'bench', correlationId: randomUUID(), schemaVersion: 1 },
});

async function drive(write: (stream: string, revision: number) => Promise<void>): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const stream = `complaint-${randomUUID()}`;
      for (let revision = 0; Date.now() < until; revision++) {
        await write(stream, revision);
        done++;
      }
    }),
  );
  return done / seconds;
}

async function adapter(n: number): Promise<number> {
  const store = new SqliteEventStore(join(dir, `adapter-${n}.sqlite`));
  const rate = await drive(
    async (stream, revision) => void (await store.append(stream, [event()], revision === 0 ? 'no_stream' : revision - 1)),
  );
  await store.close();
  return rate;
}

/** Raw baseline: one INSERT per write, each its own durable transaction, as a naive store would do. */
async function raw(n: number): Promise<number> {
  const db = new Database(join(dir, `raw-${n}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, revision))',
  );
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const rate = await drive(async (stream, revision) => {
    const e = event();
    insert.run(stream, revision, e.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
    await new Promise((resolve) => setImmediate(resolve));
  });
  db.close();
  return rate;
}

async function main() {
  const results: { round: number; adapter: number; raw: number }[] = [];
  for (let round = 1; round <= rounds; round++) results.push({ round, raw: await raw(round), adapter: await adapter(round) });
  const median = (xs: number[]) => medianBy(xs, (x) => x);
  const summary = {
    benchmark: 'store',
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    seconds,
    concurrency,
    rounds: results,
    rawInsertsPerSecond: Math.round(median(results.map((r) => r.raw))),
    adapterAppendsPerSecond: Math.round(median(results.map((r) => r.adapter))),
  };
  const ratio = summary.adapterAppendsPerSecond / summary.rawInsertsPerSecond;
  console.table(results.map((r) => ({ round: r.round, 'raw inserts/s': Math.round(r.raw), 'adapter appends/s': Math.round(r.adapter) })));
  console.log(
    `SQLite adapter: ${summary.adapterAppendsPerSecond} appends/s vs raw better-sqlite3 ${summary.rawInsertsPerSecond} inserts/s → ${(ratio * 100).toFixed(0)}% (target ≥ 60%)`,
  );
  writeFileSync(
    join(process.cwd(), 'bench', 'results', `store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ ...summary, ratio }, null, 2),
  );
  rmSync(dir, { recursive: true, force: true });
}

void main();
