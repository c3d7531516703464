import { realServerContract } from './real-server';

// A real server through @kurrent/kurrentdb-client (`kurrentdb://`), when EVENTSTORE_CONNECTION_STRING is set.
realServerContract('@kurrent/kurrentdb-client');
