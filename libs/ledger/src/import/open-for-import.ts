import { ReadModelInUse } from '@complaint-ledger/projections';
import { loadConfig } from '../config/ledger-config';
import type { LoggerFactory } from '../logger';
import { Ledger } from '../open/ledger';

export interface LedgerForImport {
  readonly ledger: Ledger;
  /** Who keeps the read models when this process does not (a running service follows the log itself), or null. */
  readonly readModelsKeptBy: string | null;
}

/**
 * The ledger as the import tool opens it (npm run import): the worker's role, but committing the
 * log on a writer thread (LEDGER_THREADS), so rows are decided while the last ones commit; writing
 * only: no relay (the service's relay publishes what is written), no sweeps.
 * It keeps the read models when no other process does, to catch them up once at the end; when a
 * running service (or another import) keeps them, it writes without read models of its own, and
 * their keeper follows the log.
 */
export function openLedgerForImport(env: Record<string, string | undefined>, loggers?: LoggerFactory): LedgerForImport {
  const writing = { ...env, LEDGER_RELAY: 'off', LEDGER_BREACH_SWEEP_SECONDS: '0' };
  try {
    return { ledger: Ledger.open(loadConfig(writing), { role: 'worker', loggers, threads: true }), readModelsKeptBy: null };
  } catch (error) {
    if (!(error instanceof ReadModelInUse)) throw error;
    const ledger = Ledger.open(loadConfig({ ...writing, LEDGER_PROJECTIONS_PATH: ':memory:' }), { role: 'worker', loggers, threads: true });
    const owner = error.owner;
    return { ledger, readModelsKeptBy: owner ? `pid ${owner.pid} on ${owner.host} (${owner.command})` : 'another process' };
  }
}
