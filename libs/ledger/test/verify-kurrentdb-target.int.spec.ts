import { randomUUID } from 'node:crypto';
import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { verifyCommand, VERIFY_EXIT } from '../../../apps/ledger-worker/src/verify-command';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * Found by a helper attacking EventStoreDB: `npm run verify` against KurrentDB through the connection string the service itself is
 * given (decision 0027: `kurrentdb://` picks @kurrent/kurrentdb-client, "the one to use with
 * KurrentDB 25 and later"; the configuration's own example is kurrentdb://localhost:2113?tls=false).
 * verify-command.ts and verify-target.ts knew only `esdb://` and `esdb+discover://`: anything else
 * was taken for a SQLite file path, and the auditor was told "no ledger at kurrentdb://…" (exit 2).
 */
it('verifies a ledger in KurrentDB named by a kurrentdb:// connection string', async () => {
  const server = await EventStoreDbStandIn.start();
  const target = server.connectionString.replace('esdb://', 'kurrentdb://');
  const store = EventStoreDbEventStore.connect(target, { logger: { warn: () => undefined } });
  const said: string[] = [];
  try {
    await store.append(
      `complaint-${randomUUID()}`,
      [
        {
          eventId: randomUUID(),
          type: 'T',
          data: {},
          metadata: { occurredAt: new Date().toISOString(), actor: 'a', correlationId: randomUUID(), schemaVersion: 1 },
        },
      ],
      'no_stream',
    );
    const status = await verifyCommand(
      [target],
      (line) => said.push(line),
      (line) => said.push(line),
      {},
    );
    // found: 2, "no ledger at kurrentdb://127.0.0.1:…?tls=false" and the usage
    expect(said.join('\n')).not.toContain('no ledger at');
    expect(status).toBe(VERIFY_EXIT.signaturesNotChecked);
  } finally {
    await store.close();
    await server.stop();
  }
});
