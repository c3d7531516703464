/**
 * npm run bench:store — appends/s of the SQLite adapter beside raw better-sqlite3 inserts at the
 * same durability (WAL, synchronous=FULL), in the same run. Both sides see the same offered load:
 * `concurrency` writers, each waiting for its write to be durable before the next (as HTTP
 * clients do), one event per write, for `seconds` each, alternating A/B/A/B.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { medianBy } from './support/median';
import { benchEvent, drive as driveFor, storeAppendRate } from './support/store-rate';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
const drive = (write: (stream: string, revision: number) => Promise<void>) => driveFor(seconds, concurrency, write);

async function adapter(n: number): Promise<number> {
  return storeAppendRate(join(dir, `adapter-${n}.sqlite`), seconds, concurrency);
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
    const e = benchEvent();
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
