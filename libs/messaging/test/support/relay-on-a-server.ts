import type { EventStore } from '@complaint-ledger/event-store';
import type { testReadSide } from '../../../projections/test/support/ledger';
import { DEFAULT_TOPICS, EventRelay, type InProcessPublisher } from '../../src';

/**
 * A relay over one server's log and a read side kept in a file, with the shared relay positions a
 * server keeps beside its log (libs/ledger/src/duties): a new server has none, so the relay falls
 * back on the position in the read models' file, as it does at a move to another server.
 */
export function relayOnAServer(store: EventStore, readSide: ReturnType<typeof testReadSide>, publisher: InProcessPublisher): EventRelay {
  const shared = new Map<string, number>();
  return new EventRelay({
    store,
    db: readSide.db,
    publisher,
    topics: DEFAULT_TOPICS,
    homes: { 2024: { LCRA: 1000, LCHO: 500 } },
    clock: () => '2026-11-23T12:00:00.000Z',
    projectionsPosition: () => readSide.runner.position,
    batchSize: 50,
    checkpoint: {
      load: async (destination) => shared.get(destination) ?? null,
      save: async (destination, position) => void shared.set(destination, position),
    },
  });
}
