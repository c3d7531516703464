import { EventStoreDbEventStore, complaintStream } from '@complaint-ledger/event-store';
import { keyIdOf } from '@complaint-ledger/privacy';
import { existsSync } from 'node:fs';
import { keyStream, residentKeysStream } from '../../../../libs/ledger/src/keys/eventstore-key-store';
import { ensureBuilt, kill9, killAll, startApi, startStandIn, stop } from '../../../../test/support/processes';
import { KEYS } from '../support';
import { scaled } from '../../../../test/support/timeouts';
import { nameIn, receive, replicaOnEventStoreDb } from './replica-on-eventstoredb';

/**
 * Residents' data keys on EventStoreDB (decision 0028): the log and the keys are on the server
 * (here the repository's stand-in, a process of its own), and each API replica is a process with
 * its own data folder, as on separate hosts. A 2xx is answered only once the key its data is
 * encrypted under is in the store; what one replica wrote another reads; an erasure through one is
 * seen by the others once their cache time has passed; two replicas giving a new resident a key at
 * once agree on one.
 */
jest.setTimeout(scaled(240_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const CACHE_SECONDS = 1;
const env = (connectionString: string) =>
  replicaOnEventStoreDb(connectionString, undefined, { LEDGER_KEY_CACHE_SECONDS: String(CACHE_SECONDS) });

const erase = async (base: string, reference: string) => {
  const erased = await fetch(`${base}/v1/residents/erasure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.admin },
    body: JSON.stringify({ reference }),
  });
  expect(erased.status).toBe(200);
};

/** The server as a client sees it: the stand-in is another process. */
async function onTheServer<T>(connectionString: string, look: (store: EventStoreDbEventStore) => Promise<T>): Promise<T> {
  const store = EventStoreDbEventStore.connect(connectionString);
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

/** The id of the key the complaint's first event is encrypted under, as stored. */
const keyIdIn = (connectionString: string, id: string) =>
  onTheServer(connectionString, async (store) => {
    const [received] = await store.readStream(complaintStream(id));
    return keyIdOf((received!.data as { resident: { name: string } }).resident.name)!;
  });

it('a name answered 201 reads back after kill -9, through a replica on a fresh data folder; no key file is written', async () => {
  const { connectionString } = await startStandIn();
  const a = env(connectionString);
  const first = await startApi(a);
  const id = await receive(first.base, 'RES-DURABLE', 'Dana Durable');
  await kill9(first.child);
  const other = await startApi(env(connectionString));
  expect(await nameIn(other.base, id)).toBe('Dana Durable');
  expect(existsSync(a.LEDGER_KEYS_PATH)).toBe(false);
  await stop(other.child);
});

it("what one replica wrote another reads in clear; an erasure through one is the other's within the cache time, its key deleted from the server", async () => {
  const { connectionString } = await startStandIn();
  const [a, b] = await Promise.all([startApi(env(connectionString)), startApi(env(connectionString))]);
  const id = await receive(a.base, 'RES-SHARED', 'Sam Shared');
  expect(await nameIn(b.base, id)).toBe('Sam Shared'); // read, and remembered, by B
  const keyId = await keyIdIn(connectionString, id);
  expect(await onTheServer(connectionString, (store) => store.readStream(keyStream(keyId)))).toHaveLength(1);
  await erase(a.base, 'RES-SHARED');
  expect(await nameIn(a.base, id)).toBe('[erased]'); // at once where it was erased
  await new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000));
  expect(await nameIn(b.base, id)).toBe('[erased]');
  expect(await onTheServer(connectionString, (store) => store.readStream(keyStream(keyId)))).toEqual([]);
  // and personal data given afterwards, through B, is readable through A under a new key
  const later = await receive(b.base, 'RES-SHARED', 'Sam Again');
  expect(await nameIn(a.base, later)).toBe('Sam Again');
  await Promise.all([stop(a.child), stop(b.child)]);
});

it("two replicas receiving a new resident's first complaints at once give them one key, and both read both", async () => {
  const { connectionString } = await startStandIn();
  const [a, b] = await Promise.all([startApi(env(connectionString)), startApi(env(connectionString))]);
  const residents = ['RES-RACE-1', 'RES-RACE-2', 'RES-RACE-3', 'RES-RACE-4'];
  const ids = await Promise.all(
    residents.flatMap((reference) => [receive(a.base, reference, `${reference} via A`), receive(b.base, reference, `${reference} via B`)]),
  );
  for (const reference of residents) {
    const assigned = await onTheServer(connectionString, (store) => store.readStream(residentKeysStream(reference)));
    expect(assigned.map((event) => event.type)).toEqual(['KeyAssigned']);
  }
  const names = await Promise.all(ids.flatMap((id) => [nameIn(a.base, id), nameIn(b.base, id)]));
  expect(names).toEqual(
    residents.flatMap((reference) => [`${reference} via A`, `${reference} via A`, `${reference} via B`, `${reference} via B`]),
  );
  await Promise.all([stop(a.child), stop(b.child)]);
});
