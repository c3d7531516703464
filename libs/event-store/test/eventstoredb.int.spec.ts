import { realServerContract } from './real-server';

// A real server through @eventstore/db-client (`esdb://`), when EVENTSTORE_CONNECTION_STRING is set.
realServerContract('@eventstore/db-client');
