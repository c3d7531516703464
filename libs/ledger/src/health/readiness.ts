import type { EventStore, SubscriptionHealth } from '@complaint-ledger/event-store';
import type { EventRelay, RelayStatus } from '@complaint-ledger/messaging';
import type { ReadSide } from '@complaint-ledger/projections';
import type { LedgerIntegrity } from '../integrity/ledger-integrity';
import type { ClockCheck } from './clock-watch';
import type { ReadModelCheck } from '../read/read-model-watch';

export interface Readiness {
  /** The store can take writes: what load balancers route commands by. */
  readonly ready: boolean;
  readonly body: {
    readonly status: 'ok' | 'unavailable';
    readonly checks: {
      readonly eventStore: 'up' | 'down';
      /** EventStoreDB only: the subscription the read models follow (failures do not stop commands; they do stall the views). */
      readonly eventStoreSubscription?: SubscriptionHealth;
      /**
       * The residents' data keys (the API only): 'failed' once their file could not be synced, until a
       * restart; with EventStoreDB, while the last call for keys failed (decision 0028). 'altered' once
       * they were found altered (decision 0023: a break of the ledger), until a restart.
       */
      readonly dataKeys?: 'up' | 'failed' | 'altered';
      readonly projections: { readonly status: 'up' | 'failing'; readonly position: number };
      /** The latest check of the read models against the log (decision 0023): `repairing` while they are rebuilt after a mismatch. */
      readonly readModels: ReadModelCheck;
      readonly relay: RelayStatus | { readonly status: 'off' };
      /** The ledger's verification of its own log: 'broken' fails readiness (and refuses writes). */
      readonly integrity: ReturnType<LedgerIntegrity['readiness']>;
      /** The singleton duties (relay, sweeps, checkpoints, retention): whether this process runs them, and who does. */
      readonly duties: { readonly heldHere: boolean; readonly holder: string | null };
      /** This process's clock against the event store's (EventStoreDB): 'beyond' the bound fails readiness (and refuses writes). */
      readonly clock: ClockCheck;
    };
  };
}

/**
 * One answer to "is this process ready", for the API's and the worker's `/health/ready`. Read
 * models and the Kafka relay trail the log: a failing projection or a broker outage is reported
 * (with the relay's lag) but does not stop commands, since the log holds everything. The data
 * keys do: once their file could not be synced, the API refuses every command that carries
 * personal data until it restarts, so it is not ready. So does a clock too far from the store's.
 */
export async function readiness(
  store: EventStore,
  readSide: ReadSide,
  relay: EventRelay | null,
  integrity: LedgerIntegrity,
  dataKeys: { failure(): Error | null; readonly alteration: Error | null } | null,
  duties: { readonly held: boolean; readonly lastSeen: { readonly holder: string } | null },
  clock: ClockCheck,
  readModels: ReadModelCheck = { status: 'unchecked', checkedAt: null, position: null, mismatched: [] },
): Promise<Readiness> {
  const storeReady = await store.ready().catch(() => false);
  const keysFailed = dataKeys?.failure() != null;
  const keysAltered = dataKeys?.alteration != null;
  const ready = storeReady && !keysFailed && integrity.status !== 'broken' && clock.status !== 'beyond';
  return {
    ready,
    body: {
      status: ready ? 'ok' : 'unavailable',
      checks: {
        eventStore: storeReady ? 'up' : 'down',
        ...(store.subscriptionHealth ? { eventStoreSubscription: store.subscriptionHealth() } : {}),
        ...(dataKeys ? { dataKeys: keysAltered ? ('altered' as const) : keysFailed ? ('failed' as const) : ('up' as const) } : {}),
        projections: { status: readSide.runner.lastFailure ? 'failing' : 'up', position: readSide.runner.position },
        readModels,
        relay: relay ? relay.status() : { status: 'off' },
        integrity: integrity.readiness(),
        duties: { heldHere: duties.held, holder: duties.lastSeen?.holder ?? null },
        clock,
      },
    },
  };
}
