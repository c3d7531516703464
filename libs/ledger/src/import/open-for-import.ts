import { ReadModelInUse } from '@complaint-ledger/projections';
import { loadConfig } from '../config/ledger-config';
import { plainLoggers, type LedgerLogger, type LoggerFactory } from '../logger';
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
 *
 * Whether another process keeps them is learnt by claiming them, as the ledger opens: a look that
 * claimed and let go would, with two imports started at once, have each see the other's look and
 * both go without (then nobody caught the read models up). What the first attempt says is held
 * back and said only if it opens, so a second attempt's lines are not said twice.
 */
export function openLedgerForImport(env: Record<string, string | undefined>, loggers: LoggerFactory = plainLoggers): LedgerForImport {
  const writing = { ...env, LEDGER_RELAY: 'off', LEDGER_BREACH_SWEEP_SECONDS: '0' };
  const open = (config: Record<string, string | undefined>, said: LoggerFactory) =>
    Ledger.open(loadConfig(config), { role: 'worker', loggers: said, writerThread: true });
  const first = heldBack(loggers);
  try {
    const ledger = open(writing, first.loggers);
    first.say();
    return { ledger, readModelsKeptBy: null };
  } catch (error) {
    // another process (a service, a second import) keeps them: Ledger.open closed what it opened
    if (!(error instanceof ReadModelInUse)) {
      first.say();
      throw error;
    }
    return { ledger: open({ ...writing, LEDGER_PROJECTIONS_PATH: ':memory:' }, loggers), readModelsKeptBy: keeperNamed(error) };
  }
}

/** Loggers whose lines wait until `say` (then pass straight through); lines never said are dropped. */
function heldBack(loggers: LoggerFactory): { loggers: LoggerFactory; say(): void } {
  const waiting: (() => void)[] = [];
  let holding = true;
  const line =
    (logger: LedgerLogger, level: keyof LedgerLogger) =>
    (message: string): void => {
      if (holding) waiting.push(() => logger[level](message));
      else logger[level](message);
    };
  return {
    loggers: (context) => {
      const logger = loggers(context);
      return { log: line(logger, 'log'), warn: line(logger, 'warn'), error: line(logger, 'error') };
    },
    say: () => {
      holding = false;
      for (const said of waiting.splice(0)) said();
    },
  };
}

const keeperNamed = ({ owner }: ReadModelInUse): string =>
  owner ? `pid ${owner.pid} on ${owner.host} (${owner.command})` : 'another process';
