import { EventStoreDbEventStore } from '../src';
import { eventStoreContract } from './contract';

/**
 * The shared contract against a real EventStoreDB / KurrentDB. No server can run on CI machines,
 * so this runs only when EVENTSTORE_CONNECTION_STRING is set:
 *   docker compose up -d kurrentdb
 *   EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:integration
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (!connectionString) {
  process.stderr.write(
    '\n[skipped] EventStoreDB contract suite: EVENTSTORE_CONNECTION_STRING is not set. To run it: ' +
      "docker compose up -d kurrentdb, then EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:integration\n",
  );
}

(connectionString ? describe : describe.skip)('EventStoreDbEventStore on a real server honours the event-store contract', () =>
  eventStoreContract(async () => EventStoreDbEventStore.connect(connectionString!), {
    uniqueEventIdsAcrossStreams: EventStoreDbEventStore.uniqueEventIdsAcrossStreams,
  }),
);
