import { eventStoreDbOnTheWire } from './eventstoredb-wire';

// EventStoreDB through @eventstore/db-client (`esdb://`), over the wire to the stand-in server.
eventStoreDbOnTheWire('@eventstore/db-client');
