import { randomUUID } from 'node:crypto';
import { clearTextCipher } from './support/clear-text-cipher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkingCalendar, type ComplaintCommand } from '@complaint-ledger/domain';
import { EventStoreDbEventStore, MemoryEventStore, SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { Registry } from 'prom-client';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { receiveCommand } from '../../domain/test/support/builders';
import { CheckpointSigningKey, LedgerIntegrity, verifyLedger, WritePath } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * The ledger chain and its checkpoints are computed from the store port alone, so every adapter
 * is chained, checkpointed and verified the same way: the same steps over each.
 */
const folder = mkdtempSync(join(tmpdir(), 'ledger-adapters-'));
const keyFile = signingKeyFile(folder);
const signing = CheckpointSigningKey.fromFile(keyFile);
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (!connectionString)
  process.stderr.write('\n[skipped] ledger verification on a real EventStoreDB: EVENTSTORE_CONNECTION_STRING is not set\n');

let standIn: EventStoreDbStandIn;
beforeAll(async () => {
  standIn = await EventStoreDbStandIn.start();
});
afterAll(async () => standIn.stop());

const adapters: [string, (() => EventStore) | null][] = [
  ['memory', () => new MemoryEventStore()],
  ['SQLite', () => new SqliteEventStore(join(folder, `${randomUUID()}.sqlite`))],
  ['EventStoreDB (its client over the wire to a stand-in server)', () => EventStoreDbEventStore.connect(standIn.connectionString)],
  ['EventStoreDB (a real server)', connectionString ? () => EventStoreDbEventStore.connect(connectionString) : null],
];

describe.each(adapters)('on %s', (_, open) => {
  (open ? it : it.skip)('checkpoints are signed into the log and the whole log verifies', async () => {
    const store = open!();
    const write = new WritePath({
      store,
      clock: () => '2024-06-03T10:00:00.000Z',
      personalData: clearTextCipher(), // no encryption: not what is tested here
      clockSkewMs: 300_000,
      compliance: { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } },
    });
    const integrity = new LedgerIntegrity(
      store,
      write,
      () => '2024-06-03T10:00:00.000Z',
      { signing, verifying: signing.verifying, everyEvents: 3, everyMs: 60_000 },
      quiet,
      new Registry(),
    );
    await integrity.start();
    for (let n = 0; n < 4; n++) {
      const complaintId = randomUUID();
      const receive = { ...receiveCommand(), data: { ...receiveCommand().data, complaintId, summary: 'Leak' } } as ComplaintCommand;
      await write.execute({ complaintId, command: receive, actor: 'test', correlationId: randomUUID() });
      await integrity.tick();
    }
    await integrity.tick(true);
    const verdict = await verifyLedger((after, limit) => store.readAll(after, limit), { key: signing.verifying });
    expect(verdict.break).toBeNull();
    expect(verdict.checkpoints.verified).toBe(2); // after 3 complaints, and the last one at the end
    expect(verdict.eventsAfterLatestCheckpoint).toBe(0);
    await store.close();
  });
});
