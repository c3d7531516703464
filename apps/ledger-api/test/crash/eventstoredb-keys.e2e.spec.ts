import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, kill9, killAll, startApi, startStandIn, stop } from '../../../../test/support/processes';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { scaled } from '../../../../test/support/timeouts';

/**
 * Residents' data keys on EventStoreDB: the log is on the server (here the repository's stand-in,
 * a process of its own that outlives the ledger's), the keys in their file. A 2xx is answered only
 * once the key its data is encrypted under is on disk, and an erasure made by one process is not
 * undone by another writing back what it held in memory.
 */
jest.setTimeout(scaled(180_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const folder = mkdtempSync(join(tmpdir(), 'ledger-esdb-keys-'));
const env = (connectionString: string, name: string) => ({
  LEDGER_STORE: 'eventstoredb',
  EVENTSTORE_CONNECTION_STRING: connectionString,
  LEDGER_KEYS_PATH: join(folder, 'keys.sqlite'),
  LEDGER_PROJECTIONS_PATH: join(folder, `projections-${name}.sqlite`),
  LEDGER_VERIFIED_MARK_PATH: join(folder, `mark-${name}.json`),
  LEDGER_API_KEYS: TEST_API_KEYS,
  LEDGER_MASTER_KEY: TEST_MASTER_KEY,
  LEDGER_BREACH_SWEEP_SECONDS: '0',
});

const receive = async (base: string, reference: string, name: string): Promise<string> => {
  const response = await fetch(`${base}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.case_handler },
    body: JSON.stringify(complaintBody({ resident: { reference, name } })),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
};

/** The resident's name as an auditor reads it in the complaint's first event. */
const nameIn = async (base: string, id: string): Promise<string> => {
  const response = await fetch(`${base}/v1/complaints/${id}/history`, { headers: { 'x-api-key': KEYS.auditor } });
  const history = (await response.json()) as { events: { data: { resident?: { name?: string } } }[] };
  return history.events[0]!.data.resident!.name!;
};

const keyRowsOf = (reference: string): number => {
  const db = new Database(join(folder, 'keys.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM data_keys WHERE subject = ?').pluck().get(reference) as number;
  } finally {
    db.close();
  }
};

it('a name answered 201 reads back after kill -9 and a restart', async () => {
  const { connectionString } = await startStandIn();
  const first = await startApi(env(connectionString, 'a'));
  const id = await receive(first.base, 'RES-DURABLE', 'Dana Durable');
  expect(keyRowsOf('RES-DURABLE')).toBe(1); // on disk before the 201, not at shutdown
  await kill9(first.child);
  const second = await startApi(env(connectionString, 'a'));
  expect(await nameIn(second.base, id)).toBe('Dana Durable');
  await stop(second.child);
});

it("an erasure through one process stays made when another process that used the resident's key shuts down", async () => {
  const { connectionString } = await startStandIn();
  const a = await startApi(env(connectionString, 'a'));
  const b = await startApi(env(connectionString, 'b'));
  const id = await receive(b.base, 'RES-ERASED', 'Eve Erased');
  expect(await nameIn(b.base, id)).toBe('Eve Erased');
  const erased = await fetch(`${a.base}/v1/residents/erasure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.admin },
    body: JSON.stringify({ reference: 'RES-ERASED' }),
  });
  expect(erased.status).toBe(200);
  await stop(b.child); // a clean shutdown writes back nothing it held
  expect(keyRowsOf('RES-ERASED')).toBe(0);
  await stop(a.child);
  const c = await startApi(env(connectionString, 'c'));
  expect(await nameIn(c.base, id)).toBe('[erased]');
  await stop(c.child);
});
