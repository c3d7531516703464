import { randomUUID } from 'node:crypto';
import { EventStoreDbEventStore, StoreUnavailable } from '../src';
import { newEvent } from './contract';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * EventStoreDbEventStore.readAt took any failure of its read, while the server answers the
 * readiness probe, for "no event of this log there". The projections runner then drops and rebuilds
 * every read model (runner.ts checkTheLog) on what was a transient failure of one read (found by a helper reviewing).
 */
it('a transient failure of the read at a position the log holds is not taken for "nothing there"', async () => {
  const server = await EventStoreDbStandIn.start();
  const store = EventStoreDbEventStore.connect(server.connectionString, { logger: { warn: () => undefined } });
  try {
    const written = await store.append(`complaint-${randomUUID()}`, [newEvent()], 'no_stream');
    const client = (store as unknown as { client: { readAll: (options: { direction: string }) => unknown } }).client;
    const readAll = client.readAll.bind(client);
    // the first forwards read fails (a connection reset, a deadline); a read of the end, backwards, is answered; then it reads again
    let failures = 0;
    client.readAll = (options) => {
      if (options.direction !== 'forwards' || failures++ > 0) return readAll(options);
      const failing = {
        [Symbol.asyncIterator]: () => ({
          next: () => Promise.reject(new Error('14 UNAVAILABLE: read ECONNRESET')),
          return: async () => ({ done: true, value: undefined }),
        }),
        cancel: () => undefined,
      };
      return failing;
    };
    await expect(store.readAt(written.position)).resolves.toMatchObject({ position: written.position });
    expect(failures).toBe(2);
    // the server itself unreachable: a failure, not "nothing there"
    await server.stop();
    await expect(store.readAt(written.position)).rejects.toBeInstanceOf(StoreUnavailable);
  } finally {
    await store.close();
    await server.stop().catch(() => undefined);
  }
});
