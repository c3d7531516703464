import { Logger } from '@nestjs/common';
import { EventStoreDbEventStore, MemoryEventStore, SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import type { Clock } from './tokens';

export function createEventStore(config: LedgerConfig, clock: Clock, logger = new Logger('event-store')): EventStore {
  switch (config.LEDGER_STORE) {
    case 'memory':
      return new MemoryEventStore(clock);
    case 'sqlite': {
      const store = new SqliteEventStore(config.LEDGER_SQLITE_PATH, clock, { writerThread: config.LEDGER_SQLITE_WRITER_THREAD });
      const upgrade = store.layoutUpgrade;
      if (upgrade)
        logger.log(`upgraded the event log from layout ${upgrade.from} to ${upgrade.to}: ${upgrade.events} events in ${upgrade.ms} ms`);
      return store;
    }
    case 'eventstoredb':
      // loadConfig has already refused eventstoredb without a connection string
      return EventStoreDbEventStore.connect(config.EVENTSTORE_CONNECTION_STRING!, { clock });
  }
}
