import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { RotationRefused } from '@complaint-ledger/privacy';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { StreamLease } from '../src/duties/stream-lease';
import { rotateMasterKey } from '../src';

/**
 * `npm run keys:rotate` on EventStoreDB refuses while a replica holds the duties' lease (decision
 * 0030). It compared the last claim's `expiresAt` (the holder's clock) with its own: from a host 30 s
 * ahead of the worker's, a claim renewed a moment ago looked expired, and the rotation went ahead
 * under a running worker (found by a helper attacking EventStoreDB). It now watches the claim for a
 * lease's length, as a taker does (decision 0026): renewed, it is held; not renewed, its holder is gone.
 */
const LEASE_MS = 3_000;

async function withServer(run: (store: EventStoreDbEventStore, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const server = await EventStoreDbStandIn.start();
  const store = EventStoreDbEventStore.connect(server.connectionString, { logger: { warn: () => undefined } });
  const env = {
    LEDGER_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: server.connectionString,
    LEDGER_KEYS_PATH: join(mkdtempSync(join(tmpdir(), 'rotate-lease-')), 'keys.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 4).toString('base64'),
    LEDGER_NEW_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
  };
  try {
    await run(store, env);
  } finally {
    await store.close();
    await server.stop();
  }
}

/** A worker whose clock runs 30 s behind this host's, claiming (and renewing) a lease of LEASE_MS by its clock. */
const claimBehind = (lease: StreamLease) => {
  const workerNow = Date.now() - 30_000;
  return lease.claim('worker-1', new Date(workerNow).toISOString(), new Date(workerNow + LEASE_MS).toISOString());
};

it("refuses while a replica holds the duties' lease, renewing it, whatever the two hosts' clocks say", () =>
  withServer(async (store, env) => {
    const lease = new StreamLease(store);
    expect((await claimBehind(lease)).holder).toBe('worker-1');
    const renewing = setInterval(() => void claimBehind(lease), LEASE_MS / 3);
    try {
      await expect(rotateMasterKey(env)).rejects.toThrow(RotationRefused);
    } finally {
      clearInterval(renewing);
    }
  }));

it('goes ahead once the last claim stands unrenewed for its lease: its holder is gone (killed), whatever its expiresAt says', () =>
  withServer(async (store, env) => {
    const lease = new StreamLease(store);
    const workerAhead = Date.now() + 600_000; // a dead worker whose clock ran ten minutes ahead: its claim "expires" later
    await lease.claim('worker-1', new Date(workerAhead).toISOString(), new Date(workerAhead + LEASE_MS).toISOString());
    await expect(rotateMasterKey(env)).resolves.toMatchObject({ where: 'EventStoreDB' });
  }));
