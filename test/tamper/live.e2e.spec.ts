import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chain, toRecorded, type EventRow } from '@complaint-ledger/event-store';
import { ensureBuilt, freePort, killAll, runTool, startApi, startNode, stop } from '../support/processes';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../../apps/ledger-api/test/support';
import { signingKeyFile } from '../../libs/ledger/test/support/signing-key';

/**
 * The live file altered under the running service (its own process, as deployed) by someone who
 * can write the data folder but holds none of its keys: found within seconds, every write
 * stopping there — commands, the deadline sweep (every second here) and checkpoints (every second)
 * — and the log not growing after; found again by `npm run verify`, `GET /v1/ledger/integrity`,
 * and the start-up check of the service started again (decision 0023).
 */
jest.setTimeout(240_000);
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

/** How soon a change made behind the running service must be found (the first outside-write pass waits 10 s after the start-up one). */
const FOUND_WITHIN_MS = 30_000;

const keys = mkdtempSync(join(tmpdir(), 'tamper-live-keys-'));
const signingKey = signingKeyFile(keys);
const eventKey = join(keys, 'event-keys');
writeFileSync(eventKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
const masterKey = join(keys, 'master-key');
writeFileSync(masterKey, `${TEST_MASTER_KEY}\n`, { mode: 0o600 });

interface Live {
  readonly folder: string;
  readonly env: NodeJS.ProcessEnv;
  readonly base: string;
  readonly child: ReturnType<typeof startNode>;
  readonly complaints: string[];
}

/** A fresh ledger served by its own process, with complaints recorded (and breached) and a checkpoint over them. */
async function running(): Promise<Live> {
  const folder = mkdtempSync(join(tmpdir(), 'tamper-live-'));
  const env = {
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY_FILE: masterKey,
    LEDGER_SIGNING_KEY_FILE: signingKey,
    LEDGER_EVENT_KEY_FILE: eventKey,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '2',
    LEDGER_CHECKPOINT_SECONDS: '1',
    LEDGER_CHECKPOINT_WITNESS_FILE: join(keys, `witness-${randomUUID()}.jsonl`),
    LEDGER_BREACH_SWEEP_SECONDS: '1',
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000',
  };
  const { child, base } = await startApi(env);
  const complaints: string[] = [];
  for (let n = 0; n < 3; n++) {
    const answer = await post(base, '/v1/complaints', complaintBody({ receivedAt: '2024-05-01T10:00:00+01:00' }));
    complaints.push(((await answer.json()) as { id: string }).id);
  }
  await post(base, `/v1/complaints/${complaints[1]}/acknowledgements`, {
    stage: 1,
    acknowledgedAt: '2024-05-02T10:00:00+01:00',
    complaintDefinition: 'Leak',
  });
  // the sweep records the breaches, and a checkpoint then covers everything
  await until(async () => (await signedEvents(folder)) === (await countEvents(folder)) - 1 && (await countEvents(folder)) > 6);
  return { folder, env, base, child, complaints };
}

const post = (base: string, path: string, body: object) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.all },
    body: JSON.stringify(body),
  });

async function until(condition: () => Promise<boolean>, ms = FOUND_WITHIN_MS): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

const readOnly = <T>(folder: string, read: (db: Database.Database) => T): T => {
  const db = new Database(join(folder, 'ledger.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
};
const countEvents = async (folder: string) => readOnly(folder, (db) => db.prepare('SELECT count(*) FROM events').pluck().get() as number);
/** The events the latest checkpoint covers. */
const signedEvents = async (folder: string) =>
  readOnly(folder, (db) => {
    const data = db.prepare("SELECT data FROM events WHERE stream_id = 'ledger-checkpoints' ORDER BY revision DESC LIMIT 1").pluck().get();
    return data ? (JSON.parse(data as string) as { events: number }).events : 0;
  });

/** The service's readiness, as a load balancer sees it. */
const readiness = async (base: string) => {
  const answer = await fetch(`${base}/health/ready`);
  return { status: answer.status, body: (await answer.json()) as { checks: { integrity: { status: string; break?: string } } } };
};

/** What is found after the change: the service stops writing, and the log does not grow however long it runs. */
async function foundAndStopped(live: Live, kind: RegExp): Promise<void> {
  const took = await until(async () => (await readiness(live.base)).body.checks.integrity.status === 'broken');
  const { status, body } = await readiness(live.base);
  expect(status).toBe(503);
  expect(body.checks.integrity.break).toMatch(kind);
  expect(took).toBeLessThan(FOUND_WITHIN_MS);
  const events = await countEvents(live.folder);
  const refused = await post(live.base, `/v1/complaints/${live.complaints[0]}/correspondence`, {
    occurredAt: '2024-05-09T10:00:00+01:00',
    direction: 'outbound',
    party: 'resident',
    channel: 'email',
    summary: 'Letter',
  });
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { code: string }).code).toBe('LEDGER.INTEGRITY_BROKEN');
  expect((await post(live.base, '/v1/complaints', complaintBody())).status).toBe(503);
  await new Promise((resolve) => setTimeout(resolve, 3_500)); // three sweeps and three checkpoints' worth of time
  expect(await countEvents(live.folder)).toBe(events);
  // the auditor's endpoint says so too
  const verdict = await fetch(`${live.base}/v1/ledger/integrity`, { headers: { 'x-api-key': KEYS.auditor } });
  expect(((await verdict.json()) as { break: { kind: string } }).break.kind).toMatch(kind);
}

/** `npm run verify` on the live folder (read-only), with every key kept outside it. */
async function verifiedOffline(live: Live, kind: string): Promise<void> {
  const args = [live.folder, '--public-key', signingKey, '--event-key', eventKey, '--master-key', masterKey];
  const { status, stdout } = await runTool('apps/ledger-worker/src/verify.js', [
    ...args,
    '--witness',
    live.env.LEDGER_CHECKPOINT_WITNESS_FILE!,
  ]);
  expect(stdout).toMatch(/^ALTERED/);
  expect(stdout).toContain(`first break:      ${kind}`);
  expect(status).toBe(1);
}

/** Stopped and started again: the start-up check finds it, the service is not ready, and still writes nothing. */
async function foundAgainAtStart(live: Live, kind: string): Promise<void> {
  await stop(live.child);
  const events = await countEvents(live.folder);
  const port = freePort();
  const child = startNode('apps/ledger-api/src/main.js', { ...live.env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await readiness(base).catch(() => null))?.body.checks.integrity.status === 'broken');
  expect((await readiness(base)).body.checks.integrity.break).toContain(`(${kind})`);
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // sweeps due every second: none runs on an altered log
  expect(await countEvents(live.folder)).toBe(events);
  await stop(child);
}

const lastEventOf = (db: Database.Database, complaintId: string) =>
  toRecorded(
    db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(`complaint-${complaintId}`) as EventRow,
  );

it('an event forged into the live log, its stream hash correct: found within seconds, never signed over, and nothing more written', async () => {
  const live = await running();
  const signedBefore = await signedEvents(live.folder);
  // a program of the attacker's own, waiting its turn for the log's write lock
  const db = new Database(join(live.folder, 'ledger.sqlite'));
  db.pragma('busy_timeout = 10000');
  const head = lastEventOf(db, live.complaints[1]!);
  const madeUp = { keyId: head.metadata.macKeyId!, mac: () => randomBytes(32).toString('base64url') };
  const metadata = { occurredAt: '2024-05-03T10:00:00.000Z', actor: 'api-key:case-system', correlationId: randomUUID(), schemaVersion: 1 };
  const data = { complaintId: live.complaints[1], withdrawnAt: '2024-05-03T10:00:00.000Z' };
  const event = { eventId: randomUUID(), type: 'ComplaintWithdrawn', data, metadata };
  const sealed = chain(head.streamId, head.revision + 1, event, head.metadata.hash, new Date().toISOString(), madeUp);
  const key = db.prepare('SELECT key FROM streams WHERE name = ?').pluck().get(head.streamId);
  db.prepare('INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    key,
    head.streamId,
    head.revision + 1,
    sealed.eventId,
    sealed.type,
    JSON.stringify(sealed.data),
    JSON.stringify(sealed.metadata),
  );
  db.close();
  await foundAndStopped(live, /event-unauthenticated/);
  expect(await signedEvents(live.folder)).toBe(signedBefore); // no checkpoint signed over the forged event
  await verifiedOffline(live, 'event-unauthenticated');
  await foundAgainAtStart(live, 'event-unauthenticated');
});

it('an event already under a checkpoint edited in place (the sqlite3 shell): found within seconds (the file changed), and nothing more written', async () => {
  const live = await running();
  const acknowledged = `stream_id = 'complaint-${live.complaints[1]}' AND type = 'Acknowledged'`;
  const sql = `UPDATE events SET data = replace(data, '2024-05-02T09:00:00.000Z', '2024-05-01T09:00:00.000Z') WHERE ${acknowledged}`;
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(live.folder, 'ledger.sqlite'), sql]);
  const edited = readOnly(live.folder, (db) => db.prepare(`SELECT data FROM events WHERE ${acknowledged}`).pluck().get() as string);
  expect(JSON.parse(edited)).toMatchObject({ acknowledgedAt: '2024-05-01T09:00:00.000Z' });
  await foundAndStopped(live, /event-altered/);
  await verifiedOffline(live, 'event-altered');
  await foundAgainAtStart(live, 'event-altered');
});

it("a complaint's last event deleted under the running service, then a command to it: refused, its revision never reused", async () => {
  const live = await running();
  const complaint = live.complaints[1]!;
  const deleted = readOnly(live.folder, (db) => lastEventOf(db, complaint));
  execFileSync('sqlite3', [
    '-cmd',
    '.timeout 10000',
    join(live.folder, 'ledger.sqlite'),
    `DELETE FROM events WHERE position = ${deleted.position}`,
  ]);
  const command = await post(live.base, `/v1/complaints/${complaint}/correspondence`, {
    occurredAt: '2024-05-09T10:00:00+01:00',
    direction: 'outbound',
    party: 'resident',
    channel: 'email',
    summary: 'Letter',
  });
  expect(command.status).toBe(503);
  expect(((await command.json()) as { code: string }).code).toBe('LEDGER.INTEGRITY_BROKEN');
  // nothing took the deleted event's place
  expect(readOnly(live.folder, (db) => lastEventOf(db, complaint).revision)).toBe(deleted.revision - 1);
  // by the command's own check of the stream, or by the pass the file's change asked for, whichever came first
  await foundAndStopped(live, /stream-broken|checkpoint-mismatch/);
  await foundAgainAtStart(live, 'checkpoint-mismatch');
});
