import type { LedgerLogger } from '../logger';
import { EventKeyRing, EventStoreDbEventStore, MemoryEventStore, SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';

/**
 * The configured event store: the embedded SQLite file by default, memory for tests, or EventStoreDB.
 * `writerThread`: commit the SQLite log on a thread of its own (the API, to keep its request thread free).
 */
export function openEventStore(
  config: LedgerConfig,
  clock: Clock,
  logger: LedgerLogger,
  writerThread: boolean,
  eventKeys: EventKeyRing | null,
): EventStore {
  const eventKey = eventKeys?.current ?? null;
  switch (config.LEDGER_STORE) {
    case 'memory':
      return new MemoryEventStore(clock, eventKey);
    case 'sqlite': {
      const store = new SqliteEventStore(config.LEDGER_SQLITE_PATH, clock, { writerThread, eventKey });
      const upgrade = store.layoutUpgrade;
      if (upgrade)
        logger.log(`upgraded the event log from layout ${upgrade.from} to ${upgrade.to}: ${upgrade.events} events in ${upgrade.ms} ms`);
      return store;
    }
    case 'eventstoredb':
      // loadConfig has already refused eventstoredb without a connection string
      return EventStoreDbEventStore.connect(config.EVENTSTORE_CONNECTION_STRING!, { clock, logger, eventKey }); // its subscription's warnings too
  }
}

/** The event keys from LEDGER_EVENT_KEY_FILE (decision 0023), or null when this process has none. */
export function eventKeysFrom(config: LedgerConfig): EventKeyRing | null {
  return config.LEDGER_EVENT_KEY_FILE ? EventKeyRing.fromFile(config.LEDGER_EVENT_KEY_FILE) : null;
}
