import { EventStoreDbEventStore } from '../src';
import type { ClientName } from '../src/adapters/eventstoredb-clients';
import { authenticatedStoreContract, eventStoreContract } from './contract';

/**
 * The shared contract against a real EventStoreDB / KurrentDB, through `client` (the connection
 * string's scheme is set to the one that picks it). No server can run on CI machines, so this runs
 * only when EVENTSTORE_CONNECTION_STRING is set:
 *   docker compose up -d kurrentdb   (TLS: see docker-compose.yml for the CA certificate and password)
 *   EVENTSTORE_CONNECTION_STRING='kurrentdb://admin:<password>@localhost:2113?tls=true&tlsCAFile=<ca.crt>' npm run test:integration
 */
export function realServerContract(client: ClientName): void {
  const given = process.env.EVENTSTORE_CONNECTION_STRING;
  const scheme = client === '@kurrent/kurrentdb-client' ? 'kurrentdb' : 'esdb';
  const connectionString = given?.replace(/^[a-z]+(?=(\+discover)?:\/\/)/, scheme);
  if (!connectionString)
    process.stderr.write(
      `\n[skipped] the event-store contract on a real server through ${client}: EVENTSTORE_CONNECTION_STRING is not set. ` +
        "To run it: docker compose up -d kurrentdb, then EVENTSTORE_CONNECTION_STRING='kurrentdb://admin:<password>@localhost:2113?tls=true&tlsCAFile=<ca.crt>' npm run test:integration\n",
    );
  (connectionString ? describe : describe.skip)(`on a real server through ${client}, the adapter honours the event-store contract`, () =>
    eventStoreContract(async () => EventStoreDbEventStore.connect(connectionString!), {
      uniqueEventIdsAcrossStreams: EventStoreDbEventStore.uniqueEventIdsAcrossStreams,
    }),
  );
  (connectionString ? describe : describe.skip)(`on a real server through ${client}, the adapter authenticates what it writes`, () =>
    authenticatedStoreContract(async (eventKey) => EventStoreDbEventStore.connect(connectionString!, { eventKey })),
  );
}
