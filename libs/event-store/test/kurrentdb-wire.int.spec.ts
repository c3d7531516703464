import { eventStoreDbOnTheWire } from './eventstoredb-wire';

// KurrentDB through @kurrent/kurrentdb-client (`kurrentdb://`), over the wire to the stand-in server.
eventStoreDbOnTheWire('@kurrent/kurrentdb-client');
