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
  const open = (config: Record<string, string | undefined>) =>
    Ledger.open(loadConfig(config), { role: 'worker', loggers, writerThread: true });
  let readModelsKeptBy = keeperOf(loadConfig(writing).projectionsPath);
  if (!readModelsKeptBy) {
    try {
      return { ledger: open(writing), readModelsKeptBy };
    } catch (error) {
      // another process (a second import) took them between the look and the open: Ledger.open closed what it opened
      if (!(error instanceof ReadModelInUse)) throw error;
      readModelsKeptBy = keeperNamed(error);
    }
  }
  return { ledger: open({ ...writing, LEDGER_PROJECTIONS_PATH: ':memory:' }), readModelsKeptBy };
}

/** Who keeps the read models at `path`, or null when no process does (so this one will). */
function keeperOf(path: string): string | null {
  try {
    ReadModelOwnership.claim(path).release();
    return null;
  } catch (error) {
    if (!(error instanceof ReadModelInUse)) throw error;
    return keeperNamed(error);
  }
}

const keeperNamed = ({ owner }: ReadModelInUse): string =>
  owner ? `pid ${owner.pid} on ${owner.host} (${owner.command})` : 'another process';
