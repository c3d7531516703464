import { complaintStream, EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { keyIdOf } from '@complaint-ledger/privacy';
import Database from 'better-sqlite3';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyStream } from '../../../../libs/ledger/src/keys/eventstore-key-store';
import { ensureBuilt, freePort, killAll, runTool, startApi, startStandIn, stop } from '../../../../test/support/processes';
import { KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { scaled } from '../../../../test/support/timeouts';
import { nameIn, receive, replicaOnEventStoreDb } from './replica-on-eventstoredb';

/**
 * `npm run keys:rotate` (decision 0030) against the service as its own process: every resident's
 * data key re-wrapped under a new master key, so the old one can be destroyed. On SQLite the old
 * wraps are gone from the key file and its WAL, and a service given the old key refuses to start
 * saying so; on EventStoreDB (the stand-in, its own process) a key stream reads as the new wrap only.
 */
jest.setTimeout(scaled(240_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const NEW_MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const ROTATE = 'apps/ledger-worker/src/rotate-keys.js';

const sqliteEnv = (folder: string, masterKey = TEST_MASTER_KEY) => ({
  LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
  LEDGER_API_KEYS: TEST_API_KEYS,
  LEDGER_MASTER_KEY: masterKey,
  LEDGER_BREACH_SWEEP_SECONDS: '0',
});

const erase = async (base: string, reference: string): Promise<{ erasedAt: string; erasedNow: boolean }> => {
  const erased = await fetch(`${base}/v1/residents/erasure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.admin },
    body: JSON.stringify({ reference }),
  });
  expect(erased.status).toBe(200);
  return (await erased.json()) as { erasedAt: string; erasedNow: boolean };
};

/** Whether `needle` is anywhere in the file's bytes (false when there is no such file). */
const holds = (path: string, needle: Buffer) => existsSync(path) && readFileSync(path).includes(needle);

it('on SQLite: the keys re-wrapped, names read with the new key, the erased stay erased, the old wraps gone, the old key refused at start', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-rotate-'));
  const keysPath = join(folder, 'keys.sqlite');
  const service = await startApi(sqliteEnv(folder));
  const ids = [
    await receive(service.base, 'RES-ROT-1', 'Rita Rotated'),
    await receive(service.base, 'RES-ROT-2', 'Otto Rotated'),
    await receive(service.base, 'RES-ROT-GONE', 'Gina Gone'),
  ];
  const erasure = await erase(service.base, 'RES-ROT-GONE');

  // refused while the service runs, with a key malformed, or with the key in use: nothing changed
  const running = await runTool(ROTATE, [], { ...sqliteEnv(folder), LEDGER_NEW_MASTER_KEY: NEW_MASTER_KEY });
  expect([running.status, running.stderr.trim()]).toEqual([
    2,
    expect.stringMatching(/open in another process \(is the service running\?\)/),
  ]);
  await stop(service.child);
  const malformed = await runTool(ROTATE, [], { ...sqliteEnv(folder), LEDGER_NEW_MASTER_KEY: 'not-a-key' });
  expect([malformed.status, malformed.stderr.trim()]).toEqual([
    2,
    'rotation refused: LEDGER_NEW_MASTER_KEY (or LEDGER_NEW_MASTER_KEY_FILE) must hold 32 bytes in base64: generate one with openssl rand -base64 32',
  ]);
  const same = await runTool(ROTATE, [], { ...sqliteEnv(folder), LEDGER_NEW_MASTER_KEY: TEST_MASTER_KEY });
  expect([same.status, same.stderr.trim()]).toEqual([
    2,
    'rotation refused: the new master key (LEDGER_NEW_MASTER_KEY) is the one in use: generate another',
  ]);

  const db = new Database(keysPath, { readonly: true });
  const oldWraps = db.prepare('SELECT wrapped FROM data_keys').pluck().all() as Buffer[];
  db.close();
  expect(oldWraps).toHaveLength(2);
  expect(oldWraps.every((wrap) => holds(keysPath, wrap) || holds(`${keysPath}-wal`, wrap))).toBe(true);

  const rotated = await runTool(ROTATE, [], { ...sqliteEnv(folder), LEDGER_NEW_MASTER_KEY: NEW_MASTER_KEY });
  expect([rotated.status, rotated.stderr]).toEqual([0, '']);
  expect(rotated.stdout).toMatch(/rotated: 2 keys in .*keys\.sqlite are wrapped under master key [0-9a-f]{16}/);
  for (const wrap of oldWraps) {
    expect(holds(keysPath, wrap)).toBe(false);
    expect(holds(`${keysPath}-wal`, wrap)).toBe(false);
  }

  const withOldKey = await runTool('apps/ledger-api/src/main.js', [], { ...sqliteEnv(folder), PORT: String(freePort()) }, scaled(60_000));
  expect(withOldKey.status).toBe(1);
  expect(withOldKey.stdout + withOldKey.stderr).toContain("the master key does not match the residents' key file");

  const again = await startApi(sqliteEnv(folder, NEW_MASTER_KEY));
  expect(await Promise.all(ids.map((id) => nameIn(again.base, id)))).toEqual(['Rita Rotated', 'Otto Rotated', '[erased]']);
  // the erasure recorded before the rotation is still the ledger's (its MAC is under the new key): erasing again finds it done
  expect(await erase(again.base, 'RES-ROT-GONE')).toMatchObject({ erasedAt: erasure.erasedAt, erasedNow: false });
  await stop(again.child);
});

it('on EventStoreDB: each key stream reads as its new wrap only, and a fresh replica with the new key reads every name', async () => {
  const { connectionString } = await startStandIn();
  // the replicas write under an event key and sign checkpoints, so the tool checks the key streams' MACs from the mark they leave
  const keys = mkdtempSync(join(tmpdir(), 'ledger-rotation-keys-'));
  const signing = {
    LEDGER_EVENT_KEY_FILE: join(keys, 'event-key'),
    LEDGER_SIGNING_KEY_FILE: join(keys, 'signing-key.pem'),
    LEDGER_CHECKPOINT_SECONDS: '1',
  };
  writeFileSync(signing.LEDGER_EVENT_KEY_FILE, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(signing.LEDGER_SIGNING_KEY_FILE, pem, { mode: 0o600 });
  const esdbEnv = (masterKey = TEST_MASTER_KEY) => replicaOnEventStoreDb(connectionString, masterKey, signing);
  const firstEnv = esdbEnv();
  const first = await startApi(firstEnv);
  const ids = [await receive(first.base, 'RES-ESDB-1', 'Erin Rotated'), await receive(first.base, 'RES-ESDB-2', 'Ezra Rotated')];
  await receive(first.base, 'RES-ESDB-GONE', 'Gus Gone');
  await erase(first.base, 'RES-ESDB-GONE');
  // the replica's verification of its first checkpoint leaves the signed mark the tool reads
  for (const until = Date.now() + scaled(60_000); !existsSync(firstEnv.LEDGER_VERIFIED_MARK_PATH) && Date.now() < until;)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await stop(first.child);

  const server = EventStoreDbEventStore.connect(connectionString);
  try {
    const keyIds = await Promise.all(
      ids.map(async (id) =>
        keyIdOf(((await server.readStream(complaintStream(id)))[0]!.data as { resident: { name: string } }).resident.name)!,
      ),
    );
    const before = await Promise.all(keyIds.map((keyId) => server.readStream(keyStream(keyId))));

    const rotated = await runTool(ROTATE, [], { ...firstEnv, LEDGER_NEW_MASTER_KEY: NEW_MASTER_KEY });
    expect([rotated.status, rotated.stderr]).toEqual([0, '']);
    expect(rotated.stdout).toMatch(
      /key streams: hashes, links, bindings, MACs \(every event after position \d+, by the last verification's mark\)/,
    );
    expect(rotated.stdout).toMatch(/rotated: 2 keys in EventStoreDB/);

    const after = await Promise.all(keyIds.map((keyId) => server.readStream(keyStream(keyId))));
    for (const [i, events] of after.entries()) {
      expect(events.map((event) => event.type)).toEqual(['DataKeyRewrapped']);
      const [made] = before[i]!;
      expect((events[0]!.data as { wrapped: string }).wrapped).not.toBe((made!.data as { wrapped: string }).wrapped);
    }
  } finally {
    await server.close();
  }

  const fresh = await startApi(esdbEnv(NEW_MASTER_KEY));
  expect(await Promise.all(ids.map((id) => nameIn(fresh.base, id)))).toEqual(['Erin Rotated', 'Ezra Rotated']);
  await stop(fresh.child);
});
