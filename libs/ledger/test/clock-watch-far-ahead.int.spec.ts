import { randomUUID } from 'node:crypto';
import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { ClockWatch } from '../src/health/clock-watch';
import { StreamLease } from '../src/duties/stream-lease';

/**
 * Found by a helper attacking EventStoreDB: the store's clock AHEAD of this process's by more than the client's default deadline
 * (10 s) but well within the hour of room the adapter gives an append's deadline
 * (SERVER_CLOCK_ROOM_MS, decision 0021). The ledger's own appends go through. But the clock watch's
 * first step, `keepLast` (setStreamMetadata for `$maxCount` on `clock-probes`), went through the
 * client with the client's own 10 s deadline, which the server measures by its clock: refused as
 * timed out, every time (it is now sent with an append's room). The probe never runs, the watch stays `unmeasured`, which refuses nothing:
 * commands are recorded with a record time 30 s off, which LEDGER_MAX_CLOCK_OFFSET_MS (2 s) exists
 * to refuse (decision 0029). The same `keepLast` fails the duties' lease claim (stream-lease.ts
 * prepare) and every relay position save.
 */
const SCHEME = process.env.SCHEME ?? 'esdb';

it('a store clock 30 s ahead is measured as beyond LEDGER_MAX_CLOCK_OFFSET_MS, while appends still go through', async () => {
  const standIn = await EventStoreDbStandIn.start();
  standIn.clock = () => Date.now() + 30_000;
  const store = EventStoreDbEventStore.connect(standIn.connectionString.replace('esdb://', `${SCHEME}://`), {
    logger: { warn: () => undefined },
  });
  const lines: string[] = [];
  const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  try {
    // the ledger's own appends are accepted: an hour's room
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

    const watch = ClockWatch.for(store, () => new Date().toISOString(), 2000, logger);
    await watch.probe();
    // found: [ "clock: could not compare this process's clock with the store's: EventStoreDB could not set stream metadata: " ]
    expect(lines).not.toEqual([expect.stringContaining('could not compare')]);
    // found: { status: 'unmeasured', maxOffsetMs: 2000 } and refusal null: commands are taken
    expect(watch.check()).toMatchObject({ status: 'beyond' });
    expect(watch.refusal).not.toBeNull();
  } finally {
    await store.close();
    await standIn.stop();
  }
});

it('the duties lease is claimed with a store clock 5 s ahead where that offset is tolerated (LEDGER_MAX_CLOCK_OFFSET_MS=60000, or 0): its $maxCount is set with the same room as appends', async () => {
  const standIn = await EventStoreDbStandIn.start();
  // a deployment that shortened its deadline (LEDGER's docs: `defaultDeadline` bounds every read, append and subscription start)
  const store = EventStoreDbEventStore.connect(`${standIn.connectionString.replace('esdb://', `${SCHEME}://`)}&defaultDeadline=3000`, {
    logger: { warn: () => undefined },
  });
  standIn.clock = () => Date.now() + 5_000;
  try {
    const now = new Date();
    // found: StoreUnavailable "EventStoreDB could not set stream metadata: " (the append of $$duties-lease refused as timed out)
    await expect(
      new StreamLease(store).claim('me', now.toISOString(), new Date(now.getTime() + 15_000).toISOString()),
    ).resolves.toMatchObject({
      holder: 'me',
    });
  } finally {
    await store.close();
    await standIn.stop();
  }
});
