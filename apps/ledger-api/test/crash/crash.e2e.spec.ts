import { CHECKPOINT_STREAM, WorkingCalendar } from '@complaint-ledger/domain';
import { SqliteEventStore, verifyChain, type RecordedEvent } from '@complaint-ledger/event-store';
import { DataKeyStore, keyIdOf } from '@complaint-ledger/privacy';
import { ReadSide } from '@complaint-ledger/projections';
import { CheckpointVerifyingKey, readWitness, verifyLedger } from '@complaint-ledger/ledger';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';

/**
 * Crash test (`npm run test:crash` runs CRASH_ROUNDS, default 8; npm test runs 2): the built
 * service as its own process on a SQLite file, concurrent commands, `kill -9` mid-load, restart,
 * again. Then: every command that got a 2xx is in the log exactly once; nothing is there that
 * was never sent; every hash chain verifies; every complaint's data key is in the key file; and
 * the read models the service kept through the crashes equal a rebuild from zero.
 */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 2);
const ROOT = resolve(__dirname, '../../../..');
jest.setTimeout(120_000 + ROUNDS * 15_000);

const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
const sqlitePath = join(dir, 'ledger.sqlite');
const signingKey = join(dir, 'signing-key.pem');
writeFileSync(signingKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const witness = join(dir, 'witness.jsonl');
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  LEDGER_STORE: 'sqlite',
  LEDGER_SQLITE_PATH: sqlitePath,
  LEDGER_BREACH_SWEEP_SECONDS: '0',
  LEDGER_API_KEYS: TEST_API_KEYS,
  LEDGER_MASTER_KEY: TEST_MASTER_KEY,
  LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
  // checkpoints every 25 events or second, so kills land between, during and after them
  LEDGER_SIGNING_KEY_FILE: signingKey,
  LEDGER_CHECKPOINT_EVERY_EVENTS: '25',
  LEDGER_CHECKPOINT_SECONDS: '1',
  LEDGER_CHECKPOINT_WITNESS_FILE: witness,
  TS_NODE_BASEURL: join(ROOT, 'dist'),
};

/**
 * Every other round commits and projects on the service's own threads (the default), the others on
 * the thread serving requests (LEDGER_THREADS=false), so
 * both paths are killed mid-load.
 */
function start(threads = true, overrides: Record<string, string> = {}): ChildProcess {
  const service = spawn(process.execPath, ['-r', 'tsconfig-paths/register', join(ROOT, 'dist/apps/ledger-api/src/main.js')], {
    cwd: ROOT,
    env: { ...env, LEDGER_THREADS: String(threads), ...overrides },
    stdio: 'ignore',
  });
  running.add(service);
  service.once('exit', () => running.delete(service));
  return service;
}

async function ready(timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() - started > timeoutMs) throw new Error('the service did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Sent {
  readonly key: string;
  readonly kind: 'receive' | 'acknowledge';
  acknowledged: boolean;
}

/** Writers sending commands with Idempotency-Keys until the process dies under them. */
async function load(sent: Sent[], complaints: string[], stop: () => boolean): Promise<void> {
  const writer = async () => {
    while (!stop()) {
      const acknowledge = complaints.length > 0 && Math.random() < 0.3;
      const entry: Sent = { key: randomUUID(), kind: acknowledge ? 'acknowledge' : 'receive', acknowledged: false };
      sent.push(entry);
      const id = acknowledge ? complaints.splice(Math.floor(Math.random() * complaints.length), 1)[0] : undefined;
      const path = id ? `/v1/complaints/${id}/acknowledgements` : '/v1/complaints';
      // each complaint from a new resident, so the service makes their data key mid-load too
      const newResident = { resident: { reference: `RES-${randomUUID()}`, name: 'Sam Resident' } };
      const body = id ? { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' } : complaintBody(newResident);
      try {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEYS.case_handler, 'idempotency-key': entry.key },
          body: JSON.stringify(body),
        });
        if (response.ok) {
          entry.acknowledged = true;
          if (!id) complaints.push(((await response.json()) as { id: string }).id);
        }
      } catch {
        return; // the process was killed: this writer's last command may or may not be in the log
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
}

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
});

/** Services a test started; a failed expectation must not leave one running (jest would wait for it). */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const service of running) service.kill('SIGKILL');
  running.clear();
});

const exited = (service: ChildProcess) =>
  new Promise((r) => (service.exitCode !== null || service.signalCode !== null ? r(null) : service.once('exit', r)));

it(`${ROUNDS} kill -9 rounds under concurrent load lose nothing acknowledged, invent nothing, and keep projections equal to a rebuild`, async () => {
  const sent: Sent[] = [];
  const complaints: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const service = start(round % 2 === 1);
    await ready();
    let killed = false;
    const driving = load(sent, complaints, () => killed);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    service.kill('SIGKILL');
    killed = true;
    await driving;
    await exited(service);
  }
  // one clean start: the read side catches up from its checkpoint, then a graceful stop
  const last = start();
  await ready();
  const listed = await fetch(`${base}/v1/complaints?limit=1`, { headers: { 'x-api-key': KEYS.all } });
  expect(listed.ok).toBe(true);
  await new Promise((r) => (last.once('exit', r), last.kill('SIGTERM')));

  const store = new SqliteEventStore(sqlitePath);
  // no false alarm: the whole ledger verifies, checkpoints, signatures and witness file included
  const verdict = await verifyLedger((after, limit) => store.readAll(after, limit), {
    key: CheckpointVerifyingKey.fromFile(signingKey),
    witnessed: readWitness(witness),
  });
  expect(verdict.break).toBeNull();
  expect(verdict.checkpoints.verified).toBeGreaterThan(0);
  const everything = await store.readAll(-1, 10_000_000);
  const log = everything.filter((event) => event.streamId !== CHECKPOINT_STREAM);
  const byKey = new Map<string, RecordedEvent[]>();
  for (const event of log) {
    const key = event.metadata.idempotencyKey ?? '(none)';
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  const sentKeys = new Set(sent.map((s) => s.key));
  const acknowledged = sent.filter((s) => s.acknowledged);
  expect(acknowledged.length).toBeGreaterThan(ROUNDS * 20); // the load was real
  for (const entry of acknowledged) expect([entry.key, byKey.get(entry.key)?.length]).toEqual([entry.key, 1]); // exactly once
  for (const key of byKey.keys()) expect(sentKeys.has(key)).toBe(true); // nothing that was never sent
  const streams = new Set(log.map((e) => e.streamId));
  for (const stream of streams) expect(verifyChain(await store.readStream(stream))).toMatchObject({ valid: true });
  // every resident's data key survived the kills: no event names a key the key file lacks
  const keys = new DataKeyStore(join(dir, 'keys.sqlite'), Buffer.from(TEST_MASTER_KEY, 'base64'));
  const received = log.filter((e) => e.type === 'ComplaintReceived');
  const keyIds = received.map((e) => keyIdOf((e.data as { resident: { name: string } }).resident.name)!);
  expect(keyIds.filter((keyId) => keys.find(keyId) === null)).toEqual([]);
  expect(new Set(keyIds).size).toBe(received.length); // a key per resident, one resident per complaint
  keys.close();

  const options = {
    store,
    rules: { calendar: new WorkingCalendar() },
    alerts: { warningWorkingDays: 2 },
  };
  const kept = new ReadSide({ ...options, path: join(dir, 'projections.sqlite') });
  const rebuilt = new ReadSide({ ...options, path: join(dir, 'rebuilt.sqlite') });
  await kept.runner.catchUp(); // nothing left to apply if the service caught up before stopping
  await rebuilt.runner.rebuild();
  expect(kept.runner.position).toBe(everything.at(-1)!.position);
  expect(kept.runner.dump()).toBe(rebuilt.runner.dump());
  console.log(
    `crash test: ${ROUNDS} kill -9 rounds, ${sent.length} commands sent, ${acknowledged.length} acknowledged, ${log.length} events, ${streams.size} complaints, ${verdict.checkpoints.verified} checkpoints verified`,
  );
  await kept.stop();
  await rebuilt.stop();
  await store.close();
});

it("an erased resident's wrapped data key is in no file of the data folder: while the service runs, after kill -9, and after a restart", async () => {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-erasure-'));
  const overrides = { LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'), LEDGER_CHECKPOINT_WITNESS_FILE: join(folder, 'witness.jsonl') };
  const post = (path: string, key: string, body: object) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const filesHolding = (bytes: Buffer) => readdirSync(folder).filter((file) => readFileSync(join(folder, file)).includes(bytes));

  let service = start(true, overrides);
  await ready();
  const resident = {
    reference: 'RES-ERASE-1',
    name: 'Erin Erasable',
    email: 'erin@example.org',
    phone: '07700 900123',
    address: '1 Leak Lane',
  };
  expect((await post('/v1/complaints', KEYS.case_handler, complaintBody({ resident }))).status).toBe(201);
  expect(
    (await post('/v1/complaints', KEYS.case_handler, complaintBody({ resident: { reference: 'RES-KEEP', name: 'Kim Kept' } }))).status,
  ).toBe(201);
  const keyFile = new Database(join(folder, 'keys.sqlite'), { readonly: true });
  const wrapped = keyFile.prepare('SELECT wrapped FROM data_keys WHERE subject = ?').pluck().get('RES-ERASE-1') as Buffer;
  keyFile.close(); // a reader left open would hold the key file's log
  expect(filesHolding(wrapped)).not.toEqual([]); // the key is on disk, so the scan can find it

  expect((await post('/v1/residents/RES-ERASE-1/erasure', KEYS.admin, {})).status).toBe(200);
  expect(filesHolding(wrapped)).toEqual([]);

  service.kill('SIGKILL');
  await exited(service);
  expect(filesHolding(wrapped)).toEqual([]);

  service = start(true, overrides);
  await ready();
  expect(filesHolding(wrapped)).toEqual([]);
  await new Promise((r) => (service.once('exit', r), service.kill('SIGTERM')));
  expect(filesHolding(wrapped)).toEqual([]);
});
