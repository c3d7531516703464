/**
 * npm run bench:scale — the service at the size of a landlord group's record, beside the same
 * figures for a small ledger: BENCH_SCALE (default "10000,1000000") complaints received over
 * 2020–2030, a quarter of each at each point of a life (received; acknowledged; answered at stage
 * 1 with two calls; answered at stage 2: 1, 2, 5 or 8 events), appended through the store port in
 * batches (not over HTTP, not timed). Then, with the service run as `npm start` runs it:
 *  - first start to ready (its read models built from the log) and a second start (no replay),
 *    and how long after it the whole log is verified and the read models checked against it
 *    (decision 0023; reads are measured after both, so the check's replay is not measured beside them);
 *  - GET a complaint, its history and list pages (first page, by status, by several filters) at
 *    32 connections for BENCH_SECONDS (default 5) each: p50 and p99;
 *  - filtered list pages, those matching many and those matching few or nothing, beside GET a
 *    complaint (target: every filter's p99 ≤ 2× GET's);
 *  - point in time: list pages, TSM and the annual report at `asOf` (1 January 2025) and at
 *    `knownAt` (when half the log had been recorded), beside the same live (target ≤ 2×);
 *  - TSM and the annual report for 2024/25, beside raw SQL reads of that year's rows (by its
 *    London dates, a scan; and by its received-at index);
 *  - commands (complaints from new residents, 32 connections) alone and while 8 connections ask
 *    filtered lists, TSM and the annual report at once (target: p99 within 1.5×);
 *  - bytes on disk per event; the server's peak RSS, and each phase's own peak (the kernel's
 *    high-water mark is reset between phases).
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { endOfLondonDay, startOfLondonDay } from '@complaint-ledger/domain';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { generate, lifecycle } from './support/generated-log';

const sizes = (process.env.BENCH_SCALE ?? '10000,1000000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const root = resolve(__dirname, '..', '..');
const key = randomBytes(24).toString('hex');
/** One master key for every start of a ledger: its key file records the key it is wrapped under, and refuses another. */
const masterKey = randomBytes(32).toString('base64');
const FROM = Date.UTC(2020, 0, 1);
const SPAN = 11 * 365;
const LENGTHS = [1, 2, 5, 8];

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
}

async function start(dir: string, port: number): Promise<{ server: Server; ms: number }> {
  const started = performance.now();
  const child = spawn('sh', [join(root, 'deploy', 'node.sh'), join(root, 'dist/apps/ledger-api/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      TS_NODE_BASEURL: join(root, 'dist'),
      PORT: String(port),
      LEDGER_LISTEN_ADDRESS: '127.0.0.1',
      LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
      LEDGER_API_KEYS: `bench:case_handler+auditor+analyst:${key}`,
      LEDGER_MASTER_KEY: masterKey,
      LEDGER_BREACH_SWEEP_SECONDS: '0',
      LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { server: { child, base }, ms: performance.now() - started };
}

/** The process's peak RSS in MB since it started or since the last call, which resets the mark. */
function peakSinceLast(server: Server): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5'); // 5: reset the peak to the current RSS
  return peakKb / 1024;
}

async function stop(server: Server): Promise<number> {
  const peak = peakSinceLast(server);
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  return peak;
}

async function latency(
  base: string,
  paths: () => string,
  connections = 32,
): Promise<{ p50: number; p99: number; rps: number; non2xx: number }> {
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    headers: { 'x-api-key': key },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths() }) }],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
}

/** Filters of the list: matching many (open, LCRA), few (withdrawn is not in the generated lives), or none. */
const FILTERS = [
  'status=open',
  'tenure=LCRA&stage=1',
  'status=closed&tenure=LCHO&stage=2',
  'status=withdrawn',
  'status=not_accepted&tenure=LCHO',
  'breached=true&stage=2&tenure=LCHO',
] as const;
const ASOF = '2025-01-01T00:00:00.000Z';

/** POST a complaint from a new resident at 32 connections for BENCH_SECONDS: p50 and p99. */
async function commandLatency(base: string): Promise<{ p50: number; p99: number; rps: number; non2xx: number }> {
  let n = 0;
  const result = await autocannon({
    url: `${base}/v1/complaints`,
    connections: 32,
    duration: seconds,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            receivedAt: '2026-01-05T10:00:00Z',
            channel: 'email',
            tenure: 'LCRA',
            category: 'repairs',
            summary: `Leak ${n}`,
            resident: { reference: `BENCH-${(n += 1)}-${randomUUID()}`, name: 'Sam Resident' },
          }),
        }),
      },
    ],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
}

async function timed(work: () => Promise<unknown>, times = 3): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

async function measure(complaints: number, port: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-scale-'));
  const ids: string[] = [];
  let events = 0;
  process.stdout.write(`${complaints.toLocaleString('en-GB')} complaints: generating… `);
  const writer = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  // record time: the log is written over the generation's run, so "known at" its middle is half of it
  let knownAt = '';
  await generate(writer, complaints, (i) => {
    if (i === complaints >> 1) knownAt = new Date().toISOString();
    const life = lifecycle((ids[i] = randomUUID()), i, FROM, SPAN).slice(0, LENGTHS[i % 4]);
    events += life.length;
    return life;
  });
  await writer.close();
  process.stdout.write(`${events.toLocaleString('en-GB')} events; first start… `);
  const first = await start(dir, port);
  await stop(first.server);
  process.stdout.write('second start… ');
  const { server, ms: secondStart } = await start(dir, port);
  // the log is verified in the background after every start (decision 0015), then the read models checked against it
  // (decision 0023, on a thread of its own): reads are measured after both
  const verifying = performance.now();
  let verifiedAt = 0;
  for (;;) {
    const ready = (await (await fetch(`${server.base}/health/ready`)).json()) as {
      checks: { integrity: { status: string }; readModels: { status: string } };
    };
    if (!verifiedAt && ready.checks.integrity.status !== 'verifying') verifiedAt = performance.now();
    if (verifiedAt && !['unchecked', 'checking'].includes(ready.checks.readModels.status)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const checked = secondStart + performance.now() - verifying;
  const verified = secondStart + verifiedAt - verifying;
  const peaks = { startAndVerify: peakSinceLast(server), reads: 0, tsm: 0, report: 0, commands: 0 };
  const random = () => ids[Math.floor(Math.random() * ids.length)]!;
  process.stdout.write('reads… ');
  const reads = {
    complaint: await latency(server.base, () => `/v1/complaints/${random()}`),
    history: await latency(server.base, () => `/v1/complaints/${random()}/history`),
    listFirst: await latency(server.base, () => '/v1/complaints?limit=50'),
    listStatus: await latency(server.base, () => '/v1/complaints?status=open&limit=50'),
    listFilters: await latency(
      server.base,
      () => '/v1/complaints?tenure=LCHO&breached=false&receivedFrom=2024-04-01&receivedTo=2025-03-31&limit=50',
    ),
  };
  process.stdout.write('filtered and point-in-time lists… ');
  const filtered: Record<string, Awaited<ReturnType<typeof latency>>> = {};
  for (const query of FILTERS) filtered[query] = await latency(server.base, () => `/v1/complaints?${query}&limit=50`);
  const pointInTime = {
    asOf: await latency(server.base, () => `/v1/complaints?asOf=${ASOF}&limit=50`),
    asOfStatus: await latency(server.base, () => `/v1/complaints?asOf=${ASOF}&status=open&limit=50`),
    knownAt: await latency(server.base, () => `/v1/complaints?knownAt=${knownAt}&limit=50`),
    knownAtStatus: await latency(server.base, () => `/v1/complaints?knownAt=${knownAt}&status=open&limit=50`),
  };
  peaks.reads = peakSinceLast(server);
  const get = (path: string) => fetch(`${server.base}${path}`, { headers: { 'x-api-key': key } }).then((r) => r.text());
  const tsm = await timed(() => get('/v1/statistics/tsm?year=2024'));
  const tsmAsOf = await timed(() => get(`/v1/statistics/tsm?year=2024&asOf=${ASOF}`));
  const tsmKnownAt = await timed(() => get(`/v1/statistics/tsm?year=2024&knownAt=${knownAt}`));
  peaks.tsm = peakSinceLast(server);
  const report = await timed(() => get('/v1/reports/annual?year=2024'));
  const reportAsOf = await timed(() => get(`/v1/reports/annual?year=2024&asOf=${ASOF}`));
  const reportKnownAt = await timed(() => get(`/v1/reports/annual?year=2024&knownAt=${knownAt}`));
  peaks.report = peakSinceLast(server);
  process.stdout.write('commands, alone and beside queries… ');
  const commands = await commandLatency(server.base);
  let querying = true;
  const queries = [
    () => `/v1/complaints?${FILTERS[Math.floor(Math.random() * FILTERS.length)]}&limit=50`,
    () => '/v1/statistics/tsm?year=2024',
    () => '/v1/reports/annual?year=2024',
    () => `/v1/complaints?asOf=${ASOF}&status=open&limit=50`,
  ];
  const asking = Promise.all(
    Array.from({ length: 8 }, async (_, n) => {
      while (querying) await get(queries[n % queries.length]!());
    }),
  );
  const commandsBesideQueries = await commandLatency(server.base);
  querying = false;
  await asking;
  peaks.commands = await stop(server);
  const rssMb = Math.max(...Object.values(peaks));
  const db = new Database(join(dir, 'projections.sqlite'), { readonly: true });
  const rawYear = await timed(async () =>
    db.prepare("SELECT doc FROM rm_complaints WHERE received_on BETWEEN '2024-04-01' AND '2025-03-31'").pluck().all(),
  );
  const rawYearIndexed = await timed(async () =>
    db
      .prepare('SELECT doc FROM rm_complaints WHERE received_at BETWEEN ? AND ?')
      .pluck()
      .all(startOfLondonDay('2024-04-01'), endOfLondonDay('2025-03-31')),
  );
  db.close();
  const bytes = ['ledger.sqlite', 'ledger.sqlite-wal'].reduce((sum, file) => {
    try {
      return sum + statSync(join(dir, file)).size;
    } catch {
      return sum;
    }
  }, 0);
  rmSync(dir, { recursive: true, force: true });
  console.log('done');
  return {
    complaints,
    events,
    firstStart: first.ms,
    secondStart,
    verified,
    checked,
    reads,
    filtered,
    pointInTime,
    tsm,
    tsmAsOf,
    tsmKnownAt,
    report,
    reportAsOf,
    reportKnownAt,
    commands,
    commandsBesideQueries,
    rawYear,
    rawYearIndexed,
    bytesPerEvent: bytes / events,
    rssMb,
    peaks,
  };
}

async function main(): Promise<void> {
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  for (const [i, size] of sizes.entries()) results.push(await measure(size, 3400 + i));
  const column = (figure: (r: (typeof results)[number]) => string) => results.map(figure).join(' | ');
  const ms = (value: number) => value.toFixed(value < 100 ? 1 : 0);
  console.log(
    `\n| figure | ${column((r) => `${r.complaints.toLocaleString('en-GB')} complaints (${r.events.toLocaleString('en-GB')} events)`)} |`,
  );
  console.log(`| --- | ${results.map(() => '---:').join(' | ')} |`);
  const row = (name: string, figure: (r: (typeof results)[number]) => string) => console.log(`| ${name} | ${column(figure)} |`);
  row('first start to ready, read models built (s)', (r) => (r.firstStart / 1000).toFixed(1));
  row('start to ready, read models kept (s)', (r) => (r.secondStart / 1000).toFixed(1));
  row('start to the whole log verified (s)', (r) => (r.verified / 1000).toFixed(1));
  row('start to the read models checked against the log (s)', (r) => (r.checked / 1000).toFixed(1));
  for (const [name, key] of [
    ['GET a complaint', 'complaint'],
    ['GET its history', 'history'],
    ['list, first page', 'listFirst'],
    ['list by status', 'listStatus'],
    ['list by tenure, breaches and dates', 'listFilters'],
  ] as const) {
    row(
      `${name}: p50 / p99 ms (req/s)`,
      (r) =>
        `${ms(r.reads[key].p50)} / ${ms(r.reads[key].p99)} (${Math.round(r.reads[key].rps)})${r.reads[key].non2xx ? ` ${r.reads[key].non2xx} non-2xx` : ''}`,
    );
  }
  for (const query of FILTERS) {
    row(`list ${query}: p50 / p99 ms (p99 ÷ GET a complaint's)`, (r) => {
      const found = r.filtered[query]!;
      return `${ms(found.p50)} / ${ms(found.p99)} (${(found.p99 / r.reads.complaint.p99).toFixed(2)}×)${found.non2xx ? ` ${found.non2xx} non-2xx` : ''}`;
    });
  }
  const againstLive = (found: { p50: number; p99: number }, live: { p99: number }) =>
    `${ms(found.p50)} / ${ms(found.p99)} (${(found.p99 / live.p99).toFixed(2)}× live)`;
  row(`list at asOf ${ASOF.slice(0, 10)}, first page: p50 / p99 ms`, (r) => againstLive(r.pointInTime.asOf, r.reads.listFirst));
  row('list at asOf, by status: p50 / p99 ms', (r) => againstLive(r.pointInTime.asOfStatus, r.reads.listStatus));
  row('list at knownAt (half the log recorded), first page: p50 / p99 ms', (r) => againstLive(r.pointInTime.knownAt, r.reads.listFirst));
  row('list at knownAt, by status: p50 / p99 ms', (r) => againstLive(r.pointInTime.knownAtStatus, r.reads.listStatus));
  row('TSM 2024/25 (ms)', (r) => ms(r.tsm));
  row(
    'TSM 2024/25 at asOf / at knownAt (ms, ÷ live)',
    (r) => `${ms(r.tsmAsOf)} / ${ms(r.tsmKnownAt)} (${(r.tsmAsOf / r.tsm).toFixed(2)}× / ${(r.tsmKnownAt / r.tsm).toFixed(2)}×)`,
  );
  row('annual report 2024/25 (ms)', (r) => ms(r.report));
  row(
    'annual report 2024/25 at asOf / at knownAt (ms, ÷ live)',
    (r) =>
      `${ms(r.reportAsOf)} / ${ms(r.reportKnownAt)} (${(r.reportAsOf / r.report).toFixed(2)}× / ${(r.reportKnownAt / r.report).toFixed(2)}×)`,
  );
  row(
    'commands at 32 connections, alone / beside 8 asking queries: p99 ms (ratio)',
    (r) => `${ms(r.commands.p99)} / ${ms(r.commandsBesideQueries.p99)} (${(r.commandsBesideQueries.p99 / r.commands.p99).toFixed(2)}×)`,
  );
  row("raw SQL read of 2024/25's rows by London date, a scan (ms)", (r) => ms(r.rawYear));
  row("raw SQL read of 2024/25's rows by the received-at index (ms)", (r) => ms(r.rawYearIndexed));
  row('log bytes per event', (r) => Math.round(r.bytesPerEvent).toString());
  row('server peak RSS (MB)', (r) => Math.round(r.rssMb).toString());
  row(
    'peak RSS by phase: start, verification and check / reads / TSM / report / commands beside queries (MB)',
    (r) =>
      `${[r.peaks.startAndVerify, r.peaks.reads, r.peaks.tsm, r.peaks.report, r.peaks.commands].map((mb) => Math.round(mb)).join(' / ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
