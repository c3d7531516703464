import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, freePort, kill9, killAll, ready, runTool, startApi, startNode, startStandIn } from './support/processes';
import { scaled } from './support/timeouts';
import { kcatInstalled, MOCK_CONTROLLER_PRELOAD, MockKafkaCluster, mockClusterBinary } from './kafka/mock-kafka';
import { signingKeyFile } from '../libs/ledger/test/support/signing-key';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../apps/ledger-api/test/support';

/**
 * Several replicas on EventStoreDB (APIs and workers), each as its own process on a "host" of its own (a folder for
 * its read models, verified mark and anything else it keeps locally), sharing what a deployment
 * shares: the server (the repository's stand-in, a process that outlives the ledger's), Kafka
 * (librdkafka's mock cluster), the master key and the checkpoint signing key. Every replica runs
 * with every duty switched on, as the default does; the lease decides which one acts. The one
 * holding the duties is killed with SIGKILL mid-load and a replica on a fresh volume joins.
 */
const binary = mockClusterBinary();
const kafka = 'path' in binary && kcatInstalled();
if (!('path' in binary)) console.warn(`[skipped] replicas: ${binary.unavailable}`);
else if (!kcatInstalled()) console.warn('[skipped] replicas: kcat is not installed (apt-get install kcat, as .ci/run does)');
jest.setTimeout(scaled(600_000));
beforeAll(() => ensureBuilt());
afterAll(() => killAll());

const PREFIX = 'replicas.';
const LEASE_SECONDS = 3;
const KEY_CACHE_SECONDS = 2;

type Replica = Awaited<ReturnType<typeof startApi>> & { readonly name: string };

(kafka ? describe : describe.skip)(
  'two APIs and a worker, the holder of the duties killed, an API and a worker joining on fresh volumes',
  () => {
    const root = mkdtempSync(join(tmpdir(), 'ledger-replicas-'));
    const signingKey = signingKeyFile(root);
    const publicKey = join(root, 'signing-key.pub.pem');
    writeFileSync(publicKey, createPublicKey(readFileSync(signingKey)).export({ type: 'spki', format: 'pem' }));
    let cluster: MockKafkaCluster;
    let connectionString: string;

    /** An API (or a worker) on a host of its own: a folder for what it keeps locally. */
    const start = async (name: string, role: 'api' | 'worker' = 'api'): Promise<Replica> => {
      const host = join(root, name);
      mkdirSync(host, { recursive: true });
      const env = {
        LEDGER_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: connectionString,
        LEDGER_KEYS_PATH: join(host, 'keys.sqlite'),
        LEDGER_PROJECTIONS_PATH: join(host, 'projections.sqlite'),
        LEDGER_VERIFIED_MARK_PATH: join(host, 'verified-mark.json'),
        LEDGER_API_KEYS: TEST_API_KEYS,
        LEDGER_MASTER_KEY: TEST_MASTER_KEY,
        LEDGER_SIGNING_KEY_FILE: signingKey,
        LEDGER_CHECKPOINT_EVERY_EVENTS: '20',
        LEDGER_BREACH_SWEEP_SECONDS: '1',
        LEDGER_DUTIES_LEASE_SECONDS: String(LEASE_SECONDS),
        LEDGER_KEY_CACHE_SECONDS: String(KEY_CACHE_SECONDS),
        LEDGER_KAFKA_BROKERS: cluster.brokers.join(','),
        LEDGER_KAFKA_TOPIC_PREFIX: PREFIX,
        NODE_OPTIONS: MOCK_CONTROLLER_PRELOAD,
      };
      if (role === 'api') return { ...(await startApi(env)), name };
      const port = freePort();
      const child = startNode('apps/ledger-worker/src/main.js', { ...env, LEDGER_WORKER_PORT: String(port) });
      const base = `http://127.0.0.1:${port}`;
      await ready(base, child);
      return { child, base, name };
    };

    const call = async (replica: Replica, path: string, role: keyof typeof KEYS, body?: object) => {
      const response = await fetch(`${replica.base}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'x-api-key': KEYS[role], ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
    };
    const holdsDuties = async (replica: Replica) =>
      ((await call(replica, '/health/ready', 'auditor')).body?.checks as { duties?: { heldHere?: boolean } } | undefined)?.duties
        ?.heldHere === true;
    const history = async (replica: Replica, id: string) =>
      (await call(replica, `/v1/complaints/${id}/history`, 'auditor')).body as {
        events: { type: string; data: Record<string, unknown> }[];
      };
    const nameIn = async (replica: Replica, id: string) => (await history(replica, id)).events[0]!.data.resident as { name: string };

    /** Complaints received through `replica`, each from a resident of its own: the ids answered 201. */
    const receive = async (replica: Replica, count: number, from: number) => {
      const ids: string[] = [];
      for (let i = from; i < from + count; i++) {
        const { status, body } = await call(
          replica,
          '/v1/complaints',
          'case_handler',
          complaintBody({ resident: { reference: `RES-R${i}`, name: `Resident ${i}` } }),
        );
        if (status === 201) ids.push(body.id as string);
      }
      return ids;
    };

    beforeAll(async () => {
      cluster = await MockKafkaCluster.start((binary as { path: string }).path, 1, [
        `${PREFIX}complaints.events.v1:2`,
        `${PREFIX}complaints.breaches.v1`,
        `${PREFIX}complaints.tsm.v1`,
        `${PREFIX}complaints.checkpoints.v1`,
      ]);
      connectionString = (await startStandIn()).connectionString;
    });
    afterAll(async () => {
      killAll();
      await cluster?.stop();
    });

    it('keeps every acknowledged fact once, residents readable and erasable everywhere, one breach per deadline, one line of checkpoints', async () => {
      const a = await start('a');
      const b = await start('b');
      const worker = await start('w1', 'worker');
      const holderAmong = async (processes: Replica[]) => processes[(await Promise.all(processes.map(holdsDuties))).indexOf(true)];
      await until(async () => (await holderAmong([a, b, worker])) !== undefined);
      const holder = (await holderAmong([a, b, worker]))!;
      const other = holder === a ? b : a; // an API that lives on

      // a console sign-in made on one replica is taken by the other (the sign-in is in its sealed cookie, not in a process)
      const signIn = await fetch(`${a.base}/console/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ credential: KEYS.auditor }).toString(),
        redirect: 'manual',
      });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const page = await fetch(`${b.base}/console`, { headers: { cookie }, redirect: 'manual' });
      expect(page.headers.get('location')).not.toMatch(/sign-in/);

      // each replica takes complaints; each reads the other's residents (the keys are in the store, not on a host)
      const before = [...(await receive(a, 10, 0)), ...(await receive(b, 10, 10))];
      expect(before).toHaveLength(20);
      expect(await nameIn(b, before[0]!)).toEqual(expect.objectContaining({ name: 'Resident 0' }));
      expect(await nameIn(a, before[10]!)).toEqual(expect.objectContaining({ name: 'Resident 10' }));

      // the holder (an API or the worker) dies mid-load; another takes over within a lease; an API and a worker on fresh volumes join
      // what the holder may have had in flight when it died: at most every event recorded by then
      const recordedBeforeTheKill = (await Promise.all(before.map(async (id) => (await history(other, id)).events.length))).reduce(
        (x, y) => x + y,
        0,
      );
      const during = receive(other, 10, 20);
      await kill9(holder.child);
      const c = await start('c');
      const survivors = [a, b, worker, c, await start('w2', 'worker')].filter((process) => process !== holder);
      const ids = [...before, ...(await during), ...(await receive(c, 10, 30))];
      expect(ids).toHaveLength(40);
      await until(async () => (await holderAmong(survivors)) !== undefined, scaled(60_000));

      // every complaint received long ago has its acknowledgement and response deadlines breached: once each, whoever swept
      const breachesOf = async (id: string) => (await history(c, id)).events.filter((event) => event.type === 'DeadlineBreached');
      await until(async () => (await Promise.all(ids.map(breachesOf))).every((found) => found.length >= 2), scaled(120_000));
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // more sweeps, by whoever holds the duties now
      for (const id of ids) {
        const events = (await history(c, id)).events;
        expect(events.filter((event) => event.type === 'ComplaintReceived')).toHaveLength(1);
        const keys = (await breachesOf(id)).map((event) => event.data.deadlineKey);
        expect(new Set(keys).size).toBe(keys.length);
      }

      // residents written by every replica read in clear on the newest one; an erasure through one is seen by the others
      expect(await nameIn(c, before[0]!)).toEqual(expect.objectContaining({ name: 'Resident 0' }));
      expect(await nameIn(c, ids[25]!)).toEqual(expect.objectContaining({ name: 'Resident 25' }));
      expect(await nameIn(other, ids[35]!)).toEqual(expect.objectContaining({ name: 'Resident 35' }));
      expect((await call(other, '/v1/residents/erasure', 'admin', { reference: 'RES-R0' })).status).toBe(200);
      await until(async () => (await nameIn(c, before[0]!)).name === '[erased]', scaled(KEY_CACHE_SECONDS * 1000 + 10_000));
      expect((await nameIn(other, before[0]!)).name).toBe('[erased]');

      // every event on Kafka; published twice only if the killed holder had it in flight (one relay, never one per replica)
      const { stdout } = await promisify(execFile)(
        'kcat',
        ['-C', '-b', cluster.brokers.join(','), '-t', `${PREFIX}complaints.events.v1`, '-o', 'beginning', '-e', '-q', '-f', '%h\n'],
        { timeout: scaled(60_000), maxBuffer: 64 * 1024 * 1024 },
      );
      const eventIds = stdout
        .trim()
        .split('\n')
        .map((headers) => /(?:^|,)event-id=([^,]+)/.exec(headers)?.[1]);
      const distinct = new Set(eventIds);
      const logged = (await Promise.all(ids.map(async (id) => (await history(c, id)).events.length))).reduce((x, y) => x + y, 0);
      expect(distinct.size).toBeGreaterThanOrEqual(logged - 2); // the last erasure's events may not be relayed yet
      const copies = new Map<string | undefined, number>();
      for (const eventId of eventIds) copies.set(eventId, (copies.get(eventId) ?? 0) + 1);
      const twice = [...copies.values()].filter((count) => count > 1);
      expect(Math.max(...copies.values())).toBeLessThanOrEqual(2);
      expect(twice.length).toBeLessThanOrEqual(recordedBeforeTheKill);
      console.log(
        `replicas: ${holder.name} held the duties and was killed; ${ids.length} complaints, ${logged} events in their streams, ${eventIds.length} messages, ${twice.length} published twice (${recordedBeforeTheKill} recorded before the kill)`,
      );

      // the checkpoints signed by whichever replica held the duties form one line, and the log verifies against the pinned key
      const verified = await runTool('apps/ledger-worker/src/verify.js', [connectionString, '--public-key', publicKey]);
      expect(verified.stdout).toMatch(/INTACT/);
      expect(verified.status).toBe(0);
    });
  },
);

async function until(condition: () => Promise<boolean>, timeoutMs = scaled(30_000)): Promise<void> {
  const started = Date.now();
  while (!(await condition().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
