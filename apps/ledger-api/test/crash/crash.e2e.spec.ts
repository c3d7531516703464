import { CheckpointVerifyingKey, readWitness, verifyLedger } from '@complaint-ledger/ledger';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, freePort, kill9, killAll, ready, startNode, stop } from '../../../../test/support/processes';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { drive, expectNothingLost, type Sent } from './load';
import { keepVisiting, type Outsider } from './outsiders';
import { scaled } from '../../../../test/support/timeouts';

/**
 * Crash test (`npm run test:crash` runs CRASH_ROUNDS, default 8; npm test runs 2): the built
 * service as its own process on a SQLite file, concurrent commands, `kill -9` mid-load, restart,
 * again, while other programs read the live files as an operator's would: the sqlite3 shell's
 * reader and `.backup`, `npm run backup`, `npm run verify`. Then: every command that got a 2xx is
 * in the log exactly once; nothing is there that was never sent; every hash chain verifies; every
 * complaint's data key is in the key file; and the read models the service kept through the
 * crashes equal a rebuild from zero.
 */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 2);
jest.setTimeout(scaled(180_000 + ROUNDS * 20_000));

const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
const sqlitePath = join(dir, 'ledger.sqlite');
const signingKey = join(dir, 'signing-key.pem');
writeFileSync(signingKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const witness = join(dir, 'witness.jsonl');
const port = freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
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
};

/**
 * Every other round commits and projects on the service's own threads (the default), the others on
 * the thread serving requests (LEDGER_THREADS=false), so both paths are killed mid-load.
 */
const start = (threads = true, overrides: Record<string, string> = {}): ChildProcess =>
  startNode('apps/ledger-api/src/main.js', { ...env, LEDGER_THREADS: String(threads), ...overrides });

/** What reads the live folder in each round, in turn: the sqlite3 shell in every round, threads or not. */
const OUTSIDERS: readonly (readonly Outsider[])[] = [
  ['select', 'sqlite3-backup', 'verify'],
  ['select', 'backup', 'sqlite3-backup'],
];

beforeAll(() => ensureBuilt());
afterEach(() => killAll());

it(`${ROUNDS} kill -9 rounds under concurrent load, with outside readers and backups, lose nothing acknowledged, invent nothing, and keep projections equal to a rebuild`, async () => {
  const sent: Sent[] = [];
  const complaints: string[] = [];
  let visits = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const service = start(round % 2 === 1);
    await ready(base, service);
    let killed = false;
    const driving = drive(base, sent, complaints, () => killed);
    const visiting = keepVisiting(dir, OUTSIDERS[round % OUTSIDERS.length]!, () => killed);
    await new Promise((r) => setTimeout(r, 600 + Math.random() * 900));
    await kill9(service);
    killed = true;
    await driving;
    visits += await visiting;
  }
  // one clean start: the read side catches up from its checkpoint, then a graceful stop
  const last = start();
  await ready(base, last);
  const listed = await fetch(`${base}/v1/complaints?limit=1`, { headers: { 'x-api-key': KEYS.all } });
  expect(listed.ok).toBe(true);
  await stop(last);

  const store = new SqliteEventStore(sqlitePath);
  // no false alarm: the whole ledger verifies, checkpoints, signatures and witness file included
  const verdict = await verifyLedger((after, limit) => store.readAll(after, limit), {
    key: CheckpointVerifyingKey.fromFile(signingKey),
    witnessed: readWitness(witness),
  });
  await store.close();
  expect(verdict.break).toBeNull();
  expect(verdict.checkpoints.verified).toBeGreaterThan(0);
  const acknowledged = sent.filter((s) => s.acknowledged);
  expect(acknowledged.length).toBeGreaterThan(ROUNDS * 20); // the load was real
  expect(visits).toBeGreaterThan(0); // and so were the outsiders
  expect(sent.filter((s) => (s.status ?? 0) >= 500)).toEqual([]); // no command failed for their sake
  const found = await expectNothingLost(dir, sent);
  console.log(
    `crash test: ${ROUNDS} kill -9 rounds, ${visits} visits by outside readers, ${sent.length} commands sent, ${acknowledged.length} acknowledged, ${found.events} events, ${found.complaints} complaints, ${verdict.checkpoints.verified} checkpoints verified`,
  );
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
  await ready(base, service);
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

  await kill9(service);
  expect(filesHolding(wrapped)).toEqual([]);

  service = start(true, overrides);
  await ready(base, service);
  expect(filesHolding(wrapped)).toEqual([]);
  await stop(service);
  expect(filesHolding(wrapped)).toEqual([]);
});
