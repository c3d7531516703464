import { EventStoreDbEventStore, StoreUnavailable, type EventStoreDbClientLike } from '../src';

/**
 * readAt (eventstoredb.ts) takes a position for another log's when the KurrentDB client's read from
 * it is refused at once, three times, while a read of the end is answered. A server slow on forwards
 * reads (load, a cold chunk, a failover: when the runner and the relay check their positions at
 * start) failed each read with the adapter's own DeadlineExceeded, and that was taken for a refusal
 * too: the position, which this log holds, was "nothing there", the projections runner dropped and
 * rebuilt every read model and the relay republished the whole log (found by a helper reviewing).
 */
it('a position this log holds, whose forwards read outlasts the deadline three times, is a failure, not "nothing there"', async () => {
  const never = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<never>(() => undefined),
      return: async () => ({ done: true, value: undefined }),
    }),
  };
  const end = (commit: number) => {
    let given = false;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () =>
          given
            ? { done: true, value: undefined }
            : ((given = true),
              {
                done: false,
                value: { event: { position: { commit: BigInt(commit), prepare: BigInt(commit) }, streamId: 'complaint-x' } },
              }),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
  };
  const client = {
    readAll: (options: { direction: string }) => (options.direction === 'forwards' ? never : end(5000)),
    dispose: async () => undefined,
  };
  const store = new EventStoreDbEventStore(client as unknown as EventStoreDbClientLike, {
    deadlineMs: 50,
    logger: { warn: () => undefined },
  });
  const started = Date.now();
  await expect(store.readAt(1200)).rejects.toBeInstanceOf(StoreUnavailable); // resolves undefined: "another log's position"
  expect(Date.now() - started).toBeLessThan(5_000);
});
