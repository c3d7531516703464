import { ReadModelInUse, ReadModelOwnership } from '@complaint-ledger/projections';
import { loadConfig } from '../config/ledger-config';
import type { LoggerFactory } from '../logger';
import { Ledger } from '../open/ledger';

export interface LedgerForImport {
  readonly ledger: Ledger;
  /** Who keeps the read models when this process does not (a running service follows the log itself), or null. */
  readonly readModelsKeptBy: string | null;
}

/**
 * The ledger as the import tool opens it (npm run import): the worker's role (its read models, if
 * it keeps them, caught up on its main thread), but committing the log on a writer thread
 * (LEDGER_THREADS), so rows are decided while the last ones commit; writing
 * only: no relay (the service's relay publishes what is written), no sweeps. It keeps the read
 * models when no other process does, to catch them up once at the end; when a running service (or
 * another import) keeps them, it writes without read models of its own, and their keeper follows the log.
 */
export function openLedgerForImport(env: Record<string, string | undefined>, loggers?: LoggerFactory): LedgerForImport {
  const writing = { ...env, LEDGER_RELAY: 'off', LEDGER_BREACH_SWEEP_SECONDS: '0' };
  const readModelsKeptBy = keeperOf(loadConfig(writing).projectionsPath);
  const config = loadConfig(readModelsKeptBy ? { ...writing, LEDGER_PROJECTIONS_PATH: ':memory:' } : writing);
  return { ledger: Ledger.open(config, { role: 'worker', loggers, writerThread: true }), readModelsKeptBy };
}

/** Who keeps the read models at `path`, or null when no process does (so this one will). */
function keeperOf(path: string): string | null {
  try {
    ReadModelOwnership.claim(path).release();
    return null;
  } catch (error) {
    if (!(error instanceof ReadModelInUse)) throw error;
    const owner = error.owner;
    return owner ? `pid ${owner.pid} on ${owner.host} (${owner.command})` : 'another process';
  }
}
