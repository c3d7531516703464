/**
 * npm run bench:projections — the two figures of the projections issue, on this machine:
 *  1. rebuild: every read model replayed from zero over a generated SQLite log of BENCH_EVENTS
 *     events (default 1,000,000: 125,000 complaints of 8 events), in events/s (target ≥ 50,000);
 *  2. sweep: a breach sweep with BENCH_OPEN open complaints (default 100,000) of which 1 % have a
 *     deadline due, in ms (target ≤ 50), by a fresh process and by a running detector (one that
 *     has swept four times before: see main); beside the same sweep's index lookup alone, beside
 *     raw better-sqlite3 durably appending as many rows to as many streams of the same log (the
 *     floor the store's write pattern sets), and with 10 % due to show the cost follows what is due.
 * Generating the logs is not timed.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { toInstant, WorkingCalendar, type ComplaintEvent } from '@complaint-ledger/domain';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { complaintsWithAlertsDue, ReadSide } from '@complaint-ledger/projections';
import { Ledger, loadConfig } from '@complaint-ledger/ledger';
import { medianBy } from './support/median';
import { generate, lifecycle } from './support/generated-log';

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const openComplaints = Number(process.env.BENCH_OPEN ?? 100_000);
/** Run as `… projections.bench.js generate <log> <open> <due>`, this file writes one sweep log (see sweep). */
const generating = process.argv[2] === 'generate';
const dir = generating ? '' : mkdtempSync(join(tmpdir(), 'ledger-bench-projections-'));
const rules = { calendar: new WorkingCalendar() };
const alerts = { warningWorkingDays: 2 };

async function rebuild() {
  const path = join(dir, 'rebuild-log.sqlite');
  const writer = new SqliteEventStore(path);
  const complaints = Math.ceil(events / 8);
  process.stdout.write(`generating ${complaints * 8} events… `);
  await generate(writer, complaints, (i) => lifecycle(randomUUID(), i));
  await writer.close();
  console.log('done');
  // A rebuild (`npm run projections:rebuild`) is a process opening an existing log, so the
  // replay reads a log that was closed (its WAL checkpointed) after it was written.
  const store = new SqliteEventStore(path);
  const readSide = new ReadSide({
    store,
    path: join(dir, 'rebuild-rm.sqlite'),
    rules,
    alerts,
  });
  execSync('sync'); // as for the sweeps: the generated log's writeback is not the rebuild's cost
  const started = performance.now();
  await readSide.runner.rebuild();
  const seconds = (performance.now() - started) / 1000;
  await readSide.stop();
  await store.close();
  return { events: complaints * 8, seconds, eventsPerSecond: (complaints * 8) / seconds };
}

/**
 * The sweep's floor in SQLite alone: the same number of alert rows (same sizes, copied from the
 * ones the detector wrote) appended, each after reading its stream's head, to as many other open
 * streams of the same log that were created together (as the due ones were), in one durable
 * transaction — no deciding, hashing, JSON or checks.
 */
function rawAppendBaseline(path: string, streams: number, eventsPerStream: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const targets = db
    .prepare(`SELECT key, name FROM streams WHERE key NOT IN (SELECT stream_key FROM events WHERE revision > 0) ORDER BY key LIMIT ?`)
    .all(streams) as { key: number; name: string }[];
  const sample = db.prepare("SELECT type, data, metadata FROM events WHERE type = 'DeadlineBreached' LIMIT 1").get() as {
    type: string;
    data: string;
    metadata: string;
  };
  const head = db.prepare('SELECT revision, metadata FROM events WHERE stream_key = ? ORDER BY revision DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const started = performance.now();
  db.transaction(() => {
    for (const stream of targets) {
      let { revision } = head.get(stream.key) as { revision: number };
      for (let i = 0; i < eventsPerStream; i++)
        insert.run(stream.key, stream.name, ++revision, randomUUID(), sample.type, sample.data, sample.metadata);
    }
  })();
  const ms = performance.now() - started;
  db.close();
  return ms;
}

let sweepLogs = 0;
type SweepRun = Awaited<ReturnType<typeof sweep>>;

/** Writes a log of `open` open complaints, the first `due` of them with their acknowledgement overdue. */
async function generateOpenComplaints(logPath: string, open: number, due: number) {
  const store = new SqliteEventStore(logPath);
  // Due: received 1 Oct 2025, acknowledgement due 8 Oct. Not due: received 20 Nov 2026 (due 27 Nov).
  await generate(store, open, (i) => [
    {
      type: 'ComplaintReceived',
      data: {
        complaintId: randomUUID(),
        receivedAt: toInstant(i < due ? '2025-10-01T10:00' : '2026-11-20T10:00'),
        channel: 'email',
        tenure: 'LCRA',
        category: 'repairs',
        summary: 'Leak',
        resident: { reference: 'R' },
      },
    } as ComplaintEvent,
  ]);
  await store.close();
}

async function sweep(run: string, { open, due }: { open: number; due: number }) {
  const file = `sweep-${++sweepLogs}`;
  const logPath = join(dir, `${file}-log.sqlite`);
  process.stdout.write(`generating ${open} open complaints, ${due} due… `);
  // In a child process: the detector's process is a worker that opens a log, catches up and sweeps.
  // Writing 100,000 complaints here first would leave the heap full of garbage for V8 to collect
  // (measured: a 12–16 ms full collection inside one sweep in four), which no running worker has.
  execFileSync(process.execPath, [...process.execArgv, __filename, 'generate', logPath, String(open), String(due)], {
    stdio: 'inherit',
  });
  console.log('done');
  const now = '2026-11-23T12:00:00.000Z';
  // the worker's ledger, opened as the worker opens it: its detector sends each alert through the write path
  const config = loadConfig({
    LEDGER_SQLITE_PATH: logPath,
    LEDGER_PROJECTIONS_PATH: join(dir, `${file}-rm.sqlite`),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  });
  const ledger = Ledger.open(config, { role: 'worker', clock: () => now });
  const { readSide } = ledger;
  await readSide.runner.catchUp();
  // Writing the logs left hundreds of MB for the kernel to write back; an fsync queued behind that
  // would time the disk's backlog, not the sweep (the raw baseline below gets the same treatment).
  execSync('sync');
  const lookupStarted = performance.now();
  const found = complaintsWithAlertsDue(readSide.db, now, 100_000).length;
  const lookupMs = performance.now() - lookupStarted;
  const started = performance.now();
  const result = await ledger.detector.sweep();
  const sweepMs = performance.now() - started;
  await ledger.close();
  const recorded = result.breaches + result.warnings;
  execSync('sync');
  const rawAppendsMs = rawAppendBaseline(logPath, result.due, Math.round(recorded / Math.max(1, result.due)));
  return { run, open, due, found, recorded, lookupMs, sweepMs, rawAppendsMs };
}

async function main() {
  const rebuilt = await rebuild();
  // The detector sweeps every minute in a long-running worker, so the figure the target is about
  // is a sweep by a detector that has been running. The first sweep of a fresh process also pays
  // for compiling the sweep's code and is shown first (each sweep has its own log, so nothing is
  // due twice). V8 keeps optimising the sweep's code over its next few sweeps (measured with a
  // probe: 75, 51, 50, then 43–44 ms from the fifth on), so the detector then sweeps four smaller
  // logs with as many due (their times are shown) before the running figure is taken. On this
  // shared machine one sweep can take half as long again as the next, so that figure is the
  // median of five logs.
  const onePercentDue = { open: openComplaints, due: Math.round(openComplaints / 100) };
  const first = await sweep('first sweep of the process', onePercentDue);
  const warmUp: SweepRun[] = [];
  for (let i = 0; i < 4; i++) warmUp.push(await sweep('warming up', { open: onePercentDue.due * 5, due: onePercentDue.due }));
  const running: SweepRun[] = [];
  for (let i = 0; i < 5; i++) running.push(await sweep('running detector', onePercentDue));
  const times = (runs: SweepRun[]) => runs.map((r) => r.sweepMs.toFixed(1)).join(' / ');
  const sweeps = [
    first,
    { ...medianBy(warmUp, (run) => run.sweepMs), run: `warming up: ${times(warmUp)} (median shown)` },
    { ...medianBy(running, (run) => run.sweepMs), run: `running detector, median of ${times(running)}` },
    await sweep('running detector', { open: openComplaints, due: Math.round(openComplaints / 10) }),
  ];
  console.table([
    {
      'events replayed': rebuilt.events,
      seconds: rebuilt.seconds.toFixed(1),
      'events/s': Math.round(rebuilt.eventsPerSecond),
      'target ≥': 50_000,
    },
  ]);
  console.table(
    sweeps.map((s) => ({
      sweep: s.run,
      'open complaints': s.open,
      due: s.due,
      'alerts recorded': s.recorded,
      'index lookup ms': s.lookupMs.toFixed(1),
      'whole sweep ms (incl. durable appends)': s.sweepMs.toFixed(1),
      'raw SQLite, same appends ms': s.rawAppendsMs.toFixed(1),
      'target ≤ (1 %, running)': 50,
    })),
  );
  writeFileSync(
    join(process.cwd(), 'bench', 'results', `projections-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(
      { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, rebuilt, sweeps, warmUp, running },
      null,
      2,
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}

if (generating) {
  const [logPath, open, due] = process.argv.slice(3);
  void generateOpenComplaints(logPath!, Number(open), Number(due));
} else {
  void main();
}
