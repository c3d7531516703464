/**
 * npm run bench:peer — the ledger's SQLite store beside the peer a team would otherwise pick,
 * Emmett's SQLite event store (@event-driven-io/emmett-sqlite, installed under bench/peer only),
 * with raw better-sqlite3 as the limit, on one workload, interleaved in each round:
 *  - BENCH_COMPLAINTS (default 10,000) complaints per contender, each: append the first event
 *    expecting no stream, then read the stream and append at the expected revision, twice (three
 *    appends, two reads), one complaint at a time, then as many again with 32 in flight;
 *  - read 10,000 random streams of those written;
 *  - replay the whole log in order.
 * Like with like: durability is equal (every file in WAL mode with synchronous=FULL; Emmett's
 * driver leaves synchronous at SQLite's default, FULL); the raw limit keeps the store's indexes
 * (unique (stream, revision) and (stream, event id)) and reads rows as a store's reader must give
 * them, data and metadata parsed (the bare strings are measured beside it, for what parsing
 * costs); every contender writes and reads the same number of complaints. Raw better-sqlite3
 * appends one row per transaction and, separately, 100 per transaction. Ratios are taken within
 * each round (BENCH_ROUNDS, default 3) and reported as the median and range over the rounds.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore, type NewEvent } from '@complaint-ledger/event-store';

const complaintsEach = Number(process.env.BENCH_COMPLAINTS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-peer-'));
const peerPackage = resolve('bench/peer/package.json');

interface Subject {
  readonly name: string;
  /** The three appends and two reads of one complaint's life, by sender `worker` (0 to 31). */
  complaint(worker: number): Promise<void>;
  readRandom(count: number): Promise<number>;
  replay(): Promise<number>;
  close(): Promise<void>;
}

const data = () => ({
  complaintId: randomUUID(),
  occurredAt: '2024-05-01T09:00:00.000Z',
  channel: 'phone',
  summary: 'Resident called for an update',
});

function ours(file: string): Subject {
  const store = new SqliteEventStore(file);
  const event = (): NewEvent => ({
    eventId: randomUUID(),
    type: 'CorrespondenceRecorded',
    data: data(),
    metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'bench', correlationId: randomUUID(), schemaVersion: 1 },
  });
  const written: string[] = [];
  return {
    name: 'complaint-ledger SqliteEventStore',
    async complaint() {
      const stream = `complaint-${randomUUID()}`;
      await store.append(stream, [event()], 'no_stream');
      for (let i = 0; i < 2; i++) {
        const recorded = await store.readStream(stream);
        await store.append(stream, [event()], recorded.at(-1)!.revision);
      }
      written.push(stream);
    },
    async readRandom(count) {
      for (let i = 0; i < count; i++) await store.readStream(written[Math.floor(Math.random() * written.length)]!);
      return count;
    },
    async replay() {
      let events = 0;
      for (let after = -1; ;) {
        const page = await store.readAll(after, 5000);
        events += page.length;
        if (page.length < 5000) return events;
        after = page.at(-1)!.position;
      }
    },
    close: () => store.close(),
  };
}

/** The part of Emmett's SQLite API the benchmark uses (declared here: Emmett is installed under bench/peer only). */
interface Connection {
  command(sql: string): Promise<unknown>;
  close(): void;
}
interface EmmettSqlite {
  sqliteConnection(options: { fileName: string }): Connection;
  createEventStoreSchema(connection: Connection): Promise<void>;
  appendToStream(
    connection: Connection,
    stream: string,
    streamType: string,
    events: { type: string; data: object }[],
    options: { expectedStreamVersion?: bigint },
  ): Promise<{ success: boolean }>;
  readStream(connection: Connection, stream: string): Promise<{ currentStreamVersion: bigint }>;
  readMessagesBatch(
    connection: Connection,
    options: { after: bigint; batchSize: number },
  ): Promise<{ messages: unknown[]; currentGlobalPosition: bigint }>;
}

/**
 * Emmett's own append and read functions over one long-lived connection, each operation in turn.
 * Measured first as shipped: its store object (`getSQLiteEventStore`) opens and closes one shared
 * connection around every operation and sets no busy timeout, so 32 senders at once close each
 * other's handle (SQLITE_MISUSE); with a connection per sender, its transactions begin deferred
 * and deadlock on the write lock (SQLITE_BUSY, then a failed rollback), even with a busy timeout.
 * One connection taking operations in turn is how it runs this workload at all.
 */
async function emmett(file: string): Promise<Subject> {
  const sqlite = createRequire(peerPackage)('@event-driven-io/emmett-sqlite') as EmmettSqlite;
  const connection = sqlite.sqliteConnection({ fileName: file });
  await connection.command('PRAGMA busy_timeout = 5000');
  await sqlite.createEventStoreSchema(connection);
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work);
    turn = next.catch(() => undefined);
    return next;
  };
  const written: string[] = [];
  const event = () => ({ type: 'CorrespondenceRecorded', data: data() });
  return {
    name: 'Emmett SQLite 0.38.5 (appendToStream, readStream)',
    async complaint() {
      const stream = `complaint-${randomUUID()}`;
      await inTurn(() => sqlite.appendToStream(connection, stream, 'complaint', [event()], {}));
      for (let i = 0; i < 2; i++) {
        const { currentStreamVersion } = await inTurn(() => sqlite.readStream(connection, stream));
        const appended = await inTurn(() =>
          sqlite.appendToStream(connection, stream, 'complaint', [event()], { expectedStreamVersion: currentStreamVersion }),
        );
        if (!appended.success) throw new Error('Emmett refused an append at the expected version');
      }
      written.push(stream);
    },
    async readRandom(count) {
      for (let i = 0; i < count; i++) await sqlite.readStream(connection, written[Math.floor(Math.random() * written.length)]!);
      return count;
    },
    async replay() {
      let events = 0;
      for (let after = 0n; ;) {
        const batch = await sqlite.readMessagesBatch(connection, { after, batchSize: 5000 });
        events += batch.messages.length;
        if (batch.messages.length < 5000) return events;
        after = batch.currentGlobalPosition;
      }
    },
    close: async () => connection.close(),
  };
}

/**
 * The limit: the same rows (stream, revision, id, type, data, metadata) by better-sqlite3 alone;
 * `asEvents` parses each row's data and metadata as a store's reader needs them.
 */
function raw(file: string, perTransaction: 1 | 100, asEvents = true): Subject {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision), UNIQUE (stream, id))`);
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const statement = db.prepare<[string], Row>('SELECT * FROM events WHERE stream = ? ORDER BY revision');
  type Row = { data: string; metadata: string };
  const asEvent = (row: Row) => ({ ...row, data: JSON.parse(row.data) as object, metadata: JSON.parse(row.metadata) as object });
  const read = { all: (stream: string) => (asEvents ? statement.all(stream).map(asEvent) : statement.all(stream)) };
  const metadata = JSON.stringify({
    occurredAt: '2024-05-01T09:00:00.000Z',
    actor: 'bench',
    correlationId: randomUUID(),
    schemaVersion: 1,
  });
  const row = (stream: string, revision: number) =>
    [stream, revision, randomUUID(), 'CorrespondenceRecorded', JSON.stringify(data()), metadata] as const;
  let pending: (readonly [string, number, string, string, string, string])[] = [];
  const flush = db.transaction((rows: typeof pending) => rows.forEach((r) => insert.run(...r)));
  const written: string[] = [];
  return {
    name: `raw better-sqlite3, ${perTransaction === 1 ? 'a transaction per row' : '100 rows a transaction'}${asEvents ? '' : ', rows read as bare strings'}`,
    async complaint() {
      const stream = `complaint-${randomUUID()}`;
      for (let revision = 0; revision < 3; revision++) {
        if (revision > 0) read.all(stream);
        pending.push(row(stream, revision));
        if (pending.length >= perTransaction) {
          flush(pending);
          pending = [];
        }
      }
      written.push(stream);
      await Promise.resolve();
    },
    async readRandom(count) {
      for (let i = 0; i < count; i++) read.all(written[Math.floor(Math.random() * written.length)]!);
      return count;
    },
    async replay() {
      let events = 0;
      for (const row of db.prepare<[], Row>('SELECT * FROM events ORDER BY position').iterate()) {
        if (asEvents) asEvent(row);
        events++;
      }
      return events;
    },
    close: async () => {
      if (pending.length) flush(pending);
      db.close();
    },
  };
}

/** `count` complaints' lives, `inFlight` at once: appends per second (three per complaint). */
async function appendsPerSecond(subject: Subject, inFlight: number, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      while (next < count) {
        next++;
        await subject.complaint(worker);
      }
    }),
  );
  return (count * 3) / ((performance.now() - started) / 1000);
}

async function perSecond(work: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const count = await work();
  return count / ((performance.now() - started) / 1000);
}

type Figures = { oneAtATime: number; inFlight32: number; randomReads: number; replay: number };

async function measure(make: (file: string) => Subject | Promise<Subject>, file: string): Promise<Figures & { name: string }> {
  const subject = await make(file);
  const oneAtATime = await appendsPerSecond(subject, 1, complaintsEach);
  const inFlight32 = await appendsPerSecond(subject, 32, complaintsEach);
  const randomReads = await perSecond(() => subject.readRandom(10_000));
  const replay = await perSecond(() => subject.replay());
  await subject.close();
  return { name: subject.name, oneAtATime, inFlight32, randomReads, replay };
}

async function main(): Promise<void> {
  if (!existsSync(resolve('bench/peer/node_modules/@event-driven-io/emmett-sqlite'))) {
    throw new Error('Emmett is not installed: npm run bench:peer installs it under bench/peer');
  }
  const subjects: [string, (file: string) => Subject | Promise<Subject>][] = [
    ['ours', ours],
    ['emmett', emmett],
    ['raw1', (file) => raw(file, 1)],
    ['raw100', (file) => raw(file, 100)],
    ['rawStrings', (file) => raw(file, 1, false)],
  ];
  const results = new Map<string, (Figures & { name: string })[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const [key, make] of subjects) {
      const figures = await measure(make, join(dir, `${key}-${round}.sqlite`));
      results.set(key, [...(results.get(key) ?? []), figures]);
      process.stdout.write(`round ${round}: ${figures.name} done\n`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const figure = (key: string, field: keyof Figures) => median(results.get(key)!.map((r) => r[field]));
  console.log(
    `\n| store (median of ${rounds} rounds, ${complaintsEach.toLocaleString('en-GB')} complaints each way) | appends/s one at a time | appends/s, 32 in flight | random stream reads/s | replay events/s |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [key] of subjects) {
    const cells = (['oneAtATime', 'inFlight32', 'randomReads', 'replay'] as const).map((field) =>
      Math.round(figure(key, field)).toLocaleString('en-GB'),
    );
    console.log(`| ${results.get(key)![0]!.name} | ${cells.join(' | ')} |`);
  }
  /** The ratio within each round, then its median and range over the rounds. */
  const ratio = (a: string, b: string, field: keyof Figures) => {
    const each = results.get(a)!.map((r, i) => r[field] / results.get(b)![i]![field]);
    const sorted = [...each].sort((x, y) => x - y);
    return `${median(each).toFixed(2)} (${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)})`;
  };
  console.log(
    `\nours ÷ Emmett: one at a time ${ratio('ours', 'emmett', 'oneAtATime')}, 32 in flight ${ratio('ours', 'emmett', 'inFlight32')}, reads ${ratio('ours', 'emmett', 'randomReads')}, replay ${ratio('ours', 'emmett', 'replay')} (target ≥ 2)`,
  );
  console.log(
    `ours ÷ raw limit (the store's indexes, rows parsed): 32 in flight ÷ raw batched by 100 ${ratio('ours', 'raw100', 'inFlight32')}, reads ${ratio('ours', 'raw1', 'randomReads')}, replay ${ratio('ours', 'raw1', 'replay')} (target ≥ 0.90)`,
  );
  console.log(
    `ours ÷ raw rows read as bare strings: reads ${ratio('ours', 'rawStrings', 'randomReads')}, replay ${ratio('ours', 'rawStrings', 'replay')}`,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
