import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type NewEvent } from '@complaint-ledger/event-store';

/** One event as the store benchmarks append it: a correspondence, about the size of a fact. */
export const benchEvent = (): NewEvent => ({
  eventId: randomUUID(),
  type: 'CorrespondenceRecorded',
  data: {
    complaintId: randomUUID(),
    occurredAt: '2024-05-01T09:00:00.000Z',
    direction: 'inbound',
    party: 'resident',
    channel: 'phone',
    summary: 'Resident called for an update',
  },
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'bench', correlationId: randomUUID(), schemaVersion: 1 },
});

/**
 * `concurrency` writers for `seconds`, each waiting for its write to be durable before the next
 * (as HTTP clients do), each on a stream of its own: writes a second.
 */
export async function drive(
  seconds: number,
  concurrency: number,
  write: (stream: string, revision: number) => Promise<void>,
): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const stream = `complaint-${randomUUID()}`;
      for (let revision = 0; Date.now() < until; revision++) {
        await write(stream, revision);
        done++;
      }
    }),
  );
  return done / seconds;
}

/** The SQLite adapter's own appends a second at `concurrency` (its group commit batching them), one event each. */
export async function storeAppendRate(path: string, seconds: number, concurrency: number): Promise<number> {
  const store = new SqliteEventStore(path);
  const rate = await drive(seconds, concurrency, async (stream, revision) => {
    await store.append(stream, [benchEvent()], revision === 0 ? 'no_stream' : revision - 1);
  });
  await store.close();
  return rate;
}
