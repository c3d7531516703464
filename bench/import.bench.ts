/**
 * npm run bench:import — a landlord's history imported (docs/import.md) beside the store's own
 * batched append rate, on this machine, in the same run: BENCH_COMPLAINTS complaints (default
 * 100,000) with four facts each (received, acknowledged, a call, the stage 1 response), each from
 * a resident of their own (a data key made for each), as a CSV file in the ledger's format, through
 * `ledger.imports` as `npm run import` opens it (and run, as it is, by deploy/node.sh, with the
 * service's memory settings). Target: imported events/s ≥ 50 % of the store's appends/s, RSS ≤
 * 300 MB; the read models caught up at the end are timed apart. Writing the file is not timed.
 * On a shared machine the rates move with its load: CPU per event is printed beside them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openLedgerForImport } from '@complaint-ledger/ledger';
import { threadCpuMs, threadSplit } from './support/cpu-budget';
import { storeAppendRate } from './support/store-rate';
import { FACTS_PER_COMPLAINT, writeHistory } from './support/history-file';

const complaints = Number(process.env.BENCH_COMPLAINTS ?? 100_000);
const concurrency = process.env.BENCH_IMPORT_CONCURRENCY ? Number(process.env.BENCH_IMPORT_CONCURRENCY) : undefined;
const storeSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-import-'));

/** User and system CPU of every thread of this process, µs. */
const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

async function main() {
  const file = join(dir, 'history.csv');
  process.stdout.write(`writing ${complaints * FACTS_PER_COMPLAINT} rows… `);
  await writeHistory(file, complaints);
  console.log('done');

  const storeCpu = process.cpuUsage();
  const storeRate = await storeAppendRate(join(dir, 'store.sqlite'), storeSeconds, 32);
  const storeCpuPerAppend = cpuMicros(process.cpuUsage(storeCpu)) / (storeRate * storeSeconds);
  console.log(`store: ${Math.round(storeRate)} appends/s (32 writers, group commit, ${storeSeconds} s)`);

  let peakRss = 0;
  let phase = 'opening';
  const peakByPhase: Record<string, number> = {};
  const sample = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, rss);
  }, 100);
  const { ledger } = openLedgerForImport({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(dir, 'ledger', 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...(process.env.LEDGER_THREADS ? { LEDGER_THREADS: process.env.LEDGER_THREADS } : {}),
  });
  ledger.startWriting();
  const importCpu = process.cpuUsage();
  const started = performance.now();
  const phases: Record<string, number> = {};
  const phaseCpu: Record<string, number> = {};
  // each thread's CPU as each phase was first seen (Linux): which thread bounds the import
  const phaseThreads: Record<string, Map<number, number> | null> = {};
  const run = await ledger.imports.start(
    { path: file, name: 'history.csv' },
    { mapping: null, dryRun: false, actor: 'bench', ...(concurrency ? { concurrency } : {}) },
  );
  let shown = 0;
  const progress = setInterval(() => {
    const s = run.status();
    phases[s.phase] ??= (performance.now() - started) / 1000; // when each phase was first seen (to 0.1 s)
    phase = s.phase;
    phaseCpu[s.phase] ??= cpuMicros(process.cpuUsage(importCpu));
    phaseThreads[s.phase] ??= threadCpuMs();
    if (performance.now() - shown < 1000) return;
    shown = performance.now();
    process.stdout.write(`\r  ${s.phase} ${s.rows.done}/${s.rows.total ?? s.rows.staged} rows, ${s.rowsPerSecond} rows/s   `);
  }, 100);
  const status = await run.finished;
  const importSeconds = (performance.now() - started) / 1000;
  const importCpuMicros = cpuMicros(process.cpuUsage(importCpu));
  const threadsAtEnd = threadCpuMs();
  clearInterval(progress);
  const events = status.rows.accepted; // one event per fact in this file
  phase = 'catching up';
  const catchUpStarted = performance.now();
  await ledger.readSide.start();
  const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await ledger.close();

  const importRate = events / importSeconds;
  const ratio = importRate / storeRate;
  const importCpuPerEvent = importCpuMicros / events;
  const stagingSeconds = (phases.deciding ?? 0) - (phases.staging ?? 0);
  const decidingSeconds = (phases.reporting ?? importSeconds) - (phases.deciding ?? 0);
  const stagingCpuPerRow = ((phaseCpu.deciding ?? 0) - (phaseCpu.staging ?? 0)) / (status.rows.total ?? 1);
  const decidingCpuPerEvent = ((phaseCpu.reporting ?? importCpuMicros) - (phaseCpu.deciding ?? 0)) / events;
  const split = (from: string, to: Map<number, number> | null | undefined) => {
    const before = phaseThreads[from];
    if (!before || !to) return null;
    const { main, busiestOther, rest } = threadSplit(before, to);
    return {
      mainSeconds: Number((main / 1000).toFixed(1)),
      busiestOtherSeconds: Number((busiestOther / 1000).toFixed(1)),
      restSeconds: Number((rest / 1000).toFixed(1)),
    };
  };
  const stagingThreads = split('staging', phaseThreads.deciding);
  const threadRow = (name: string, threads: ReturnType<typeof split>) =>
    threads
      ? [
          {
            measure: `  ${name}: CPU s on the main thread / the busiest other (the writer) / the rest (GC helpers, pool)`,
            value: `${threads.mainSeconds} / ${threads.busiestOtherSeconds} / ${threads.restSeconds}`,
          },
        ]
      : [];
  const decidingThreads = split('deciding', phaseThreads.reporting ?? threadsAtEnd);
  const summary = {
    benchmark: 'import',
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    complaints,
    rows: status.rows.total,
    accepted: status.rows.accepted,
    refused: status.rows.refused,
    importSeconds: Number(importSeconds.toFixed(1)),
    importEventsPerSecond: Math.round(importRate),
    storeAppendsPerSecond: Math.round(storeRate),
    ratio: Number(ratio.toFixed(3)),
    stagingSeconds: Number(stagingSeconds.toFixed(1)),
    decidingSeconds: Number(decidingSeconds.toFixed(1)),
    decidingEventsPerSecond: Math.round(events / decidingSeconds),
    storeCpuMicrosPerAppend: Math.round(storeCpuPerAppend),
    importCpuMicrosPerEvent: Math.round(importCpuPerEvent),
    stagingCpuMicrosPerRow: Math.round(stagingCpuPerRow),
    decidingCpuMicrosPerEvent: Math.round(decidingCpuPerEvent),
    stagingThreads,
    decidingThreads,
    readModelsCatchUpSeconds: Number(catchUpSeconds.toFixed(1)),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    peakRssMbByPhase: Object.fromEntries(Object.entries(peakByPhase).map(([name, rss]) => [name, Math.round(rss / 2 ** 20)])),
  };
  console.log('');
  console.table([
    { measure: 'store: batched appends/s (32 writers)', value: summary.storeAppendsPerSecond },
    { measure: 'import: events recorded/s', value: summary.importEventsPerSecond },
    { measure: 'import ÷ store', value: `${(ratio * 100).toFixed(0)} % (target ≥ 50 %)` },
    { measure: `import of ${summary.rows} rows, s`, value: summary.importSeconds },
    { measure: '  reading and checking the file, s', value: summary.stagingSeconds },
    { measure: '  deciding and recording, s (events/s)', value: `${summary.decidingSeconds} (${summary.decidingEventsPerSecond})` },
    {
      measure: 'CPU per event: store append / import, µs',
      value: `${summary.storeCpuMicrosPerAppend} / ${summary.importCpuMicrosPerEvent}`,
    },
    {
      measure: '  of which reading the file (per row) / deciding, µs',
      value: `${summary.stagingCpuMicrosPerRow} / ${summary.decidingCpuMicrosPerEvent}`,
    },
    ...threadRow('reading the file', stagingThreads),
    ...threadRow('deciding', decidingThreads),
    { measure: 'read models caught up after, s', value: summary.readModelsCatchUpSeconds },
    { measure: 'peak RSS, MB', value: `${summary.peakRssMb} (budget 300)` },
    ...Object.entries(summary.peakRssMbByPhase).map(([name, mb]) => ({ measure: `  while ${name}, MB`, value: mb })),
  ]);
  if (status.rows.refused) console.log(`(${status.rows.refused} rows refused: the generated file should have none)`);
  writeFileSync(
    join(process.cwd(), 'bench', 'results', `import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(summary, null, 2),
  );
  rmSync(dir, { recursive: true, force: true });
}

void main();
