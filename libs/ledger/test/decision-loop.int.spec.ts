import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, MemoryEventStore, type EventStore, type NewEvent, type RecordedEvent } from '@complaint-ledger/event-store';
import { isConflict, runDecision, type DecisionCycle } from '../src';

/**
 * The decision loop hands the store the head it has just read (`expectedHead`), so that a store
 * which would otherwise read the stream again for its hash (EventStoreDB) need not; and it reads
 * no more of a stream than its decider needs.
 */
const event = (eventId = randomUUID()): NewEvent => ({
  eventId,
  type: 'Noted',
  data: {},
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'test', correlationId: 'c', schemaVersion: 1 },
});

/** A cycle that appends `events` whatever the stream holds. */
const appending = (stream: string, events: () => NewEvent[], extra: Partial<DecisionCycle<number, string, number>> = {}) =>
  ({
    stream,
    fold: (recorded: readonly RecordedEvent[]) => recorded.length,
    decide: () => ['noted'],
    seal: events,
    answer: ({ revision, appended }) => appended?.revision ?? revision,
    retryable: isConflict,
    ...extra,
  }) satisfies DecisionCycle<number, string, number>;

it('given a stream it has read, appends handing the store that stream’s head: its last revision and hash', async () => {
  const store = new MemoryEventStore();
  const append = jest.spyOn(store as EventStore, 'append');
  await runDecision(
    store,
    appending('s-1', () => [event()]),
  );
  expect(append.mock.calls[0]![3]).toEqual({ revision: -1, hash: GENESIS_HASH });
  await runDecision(
    store,
    appending('s-1', () => [event(), event()]),
  );
  const [first] = await store.readStream('s-1');
  expect(append.mock.calls[1]!.slice(2)).toEqual([0, { revision: 0, hash: first!.metadata.hash }]);
});

it('given an event of the append among what it has read, hands the store no head: the store checks the ids itself', async () => {
  const store = new MemoryEventStore();
  const reused = event();
  await store.append('s-2', [reused], 'no_stream');
  const append = jest.spyOn(store as EventStore, 'append');
  const revision = await runDecision(
    store,
    appending('s-2', () => [reused]),
  );
  expect(append.mock.calls[0]![3]).toBeUndefined();
  expect(revision).toBe(0); // recognised as written
});

it('given a decider that needs only the last event, reads that one from the end', async () => {
  const store = new MemoryEventStore();
  await store.append('s-3', [event(), event(), event()], 'no_stream');
  const whole = jest.spyOn(store, 'readStream');
  const last = jest.spyOn(store, 'readLastEvent');
  let folded: readonly RecordedEvent[] = [];
  await runDecision(
    store,
    appending('s-3', () => [event()], { lastEventOnly: true, fold: (recorded) => (folded = recorded).length }),
  );
  expect(whole).not.toHaveBeenCalled();
  expect(last).toHaveBeenCalledTimes(1);
  expect(folded.map((e) => e.revision)).toEqual([2]);
});
