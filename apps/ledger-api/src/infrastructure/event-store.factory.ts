import { EventStoreDbEventStore, MemoryEventStore, SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import type { Clock } from './tokens';

export function createEventStore(config: LedgerConfig, clock: Clock): EventStore {
  switch (config.LEDGER_STORE) {
    case 'memory':
      return new MemoryEventStore(clock);
    case 'sqlite':
      return new SqliteEventStore(config.LEDGER_SQLITE_PATH, clock);
    case 'eventstoredb':
      // loadConfig has already refused eventstoredb without a connection string
      return EventStoreDbEventStore.connect(config.EVENTSTORE_CONNECTION_STRING!, { clock });
  }
}
