import { randomUUID } from 'node:crypto';
import { clearTextCipher } from './support/clear-text-cipher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_STREAM, WorkingCalendar, type ComplaintCommand } from '@complaint-ledger/domain';
import { complaintStream, EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { Registry } from 'prom-client';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { receiveCommand } from '../../domain/test/support/builders';
import { CheckpointSigningKey, LedgerIntegrity, WritePath } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * What the write path costs an EventStoreDB server, counted by the stand-in: a command reads its
 * complaint's stream once and appends once (the append takes the head the command has just read,
 * rather than reading the stream again); a checkpoint reads the checkpoint stream's last event only,
 * however many checkpoints it holds, and appends once.
 */
let standIn: EventStoreDbStandIn;
let store: EventStoreDbEventStore;
let write: WritePath;
beforeEach(async () => {
  standIn = await EventStoreDbStandIn.start();
  store = EventStoreDbEventStore.connect(standIn.connectionString);
  write = new WritePath({
    store,
    clock: () => '2024-06-03T10:00:00.000Z',
    personalData: clearTextCipher(), // no encryption: not what is counted here
    clockSkewMs: 300_000,
    compliance: { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } },
  });
});
afterEach(async () => {
  await store.close();
  await standIn.stop();
});

/** The server's calls while `run` runs: reads (of which streams, how many events) and appends. */
async function callsOf(run: () => Promise<unknown>) {
  const before = { ...standIn.calls, reads: standIn.reads.length };
  await run();
  const reads = standIn.reads.slice(before.reads);
  return {
    reads: reads.length,
    eventsRead: reads.reduce((sum, read) => sum + read.events, 0),
    appends: standIn.calls.batchAppend - before.batchAppend + standIn.calls.append - before.append,
    streams: reads.map((read) => `${read.stream}${read.backwards ? ' (backwards)' : ''}`),
  };
}

const correspondence = (n: number): ComplaintCommand => ({
  type: 'RecordCorrespondence',
  data: {
    occurredAt: `2024-05-${String(2 + n).padStart(2, '0')}T10:00:00.000Z`,
    direction: 'inbound',
    party: 'resident',
    channel: 'phone',
    summary: `Called (${n})`,
  },
});

it('a command reads its complaint once and appends once, however long its stream', async () => {
  const complaintId = randomUUID();
  const command = (c: ComplaintCommand) => () => write.execute({ complaintId, command: c, actor: 'test', correlationId: randomUUID() });
  const receiving = await callsOf(command(receiveCommand({ complaintId })));
  expect(receiving).toEqual({ reads: 1, eventsRead: 0, appends: 1, streams: [complaintStream(complaintId)] });
  for (let n = 1; n <= 10; n++) {
    const calls = await callsOf(command(correspondence(n)));
    expect(calls).toEqual({ reads: 1, eventsRead: n, appends: 1, streams: [complaintStream(complaintId)] });
  }
});

it("a checkpoint reads the checkpoint stream's last event only, and appends once", async () => {
  const signing = CheckpointSigningKey.fromFile(signingKeyFile(mkdtempSync(join(tmpdir(), 'calls-'))));
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const integrity = new LedgerIntegrity(
    store,
    write,
    () => '2024-06-03T10:00:00.000Z',
    { signing, verifying: signing.verifying, everyEvents: 1, everyMs: 60_000 },
    quiet,
    new Registry(),
  );
  await integrity.start();
  for (let n = 1; n <= 6; n++) {
    const complaintId = randomUUID();
    await write.execute({ complaintId, command: receiveCommand({ complaintId }), actor: 'test', correlationId: randomUUID() });
    const calls = await callsOf(() => integrity.tick());
    const ofCheckpoints = standIn.reads.filter((read) => read.stream === CHECKPOINT_STREAM).slice(-1);
    expect(ofCheckpoints).toEqual([{ stream: CHECKPOINT_STREAM, backwards: true, events: n === 1 ? 0 : 1 }]);
    expect(calls.appends).toBe(1);
    expect(calls.streams.filter((stream) => stream.startsWith(CHECKPOINT_STREAM))).toEqual([`${CHECKPOINT_STREAM} (backwards)`]);
  }
});
