import type { EventStore } from '@complaint-ledger/event-store';
import {
  checkReadModelsOnAThread,
  compareReadModelsWithTheLog,
  readModelsReach,
  type ReadModelComparison,
  type ReadSide,
} from '@complaint-ledger/projections';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import type { Clock } from '../clock';
import type { LedgerLogger } from '../logger';
import { ReadModelsRepairing } from './errors';

/** Where the read models stand against the log: not yet checked, being checked, agreeing, being rebuilt after a mismatch, or a check that could not run. */
export type ReadModelStatus = 'unchecked' | 'checking' | 'consistent' | 'repairing' | 'failed';

/** The latest check: when, at what position, and what disagreed (and was rebuilt). */
export interface ReadModelCheck {
  readonly status: ReadModelStatus;
  readonly checkedAt: string | null;
  readonly position: number | null;
  /** The read models found disagreeing with the log at the latest check that found any, and rebuilt since. */
  readonly mismatched: readonly string[];
  readonly detail?: string;
}

export interface ReadModelWatchOptions {
  readonly readSide: ReadSide;
  readonly store: EventStore;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
  /** Where the check rebuilds (a file beside the read models, removed after; `:memory:` for a throwaway read side). */
  readonly scratchPath: string;
  readonly clock: Clock;
  readonly logger: LedgerLogger;
  readonly registry: Registry;
  /** Whether the log may be compared with now: only once it is verified and intact (decision 0023). */
  readonly logVerified: () => Promise<boolean>;
  /**
   * The files to check on a thread started for each check (a SQLite log and a read-model file):
   * the replay then takes none of the time of the thread that serves requests. Absent (a log in
   * EventStoreDB, a throwaway read side, a process without threads): the check runs here, a batch
   * at a time, as the projections themselves do.
   */
  readonly thread?: { readonly logPath: string; readonly projectionsPath: string };
}

/**
 * Read models that cannot lie quietly (decision 0023): at start and on a schedule (and when an
 * auditor asks), the read models are rebuilt from the log into a scratch file and compared with
 * the live ones at the same position. A mismatch is logged, counted
 * (`ledger_read_model_mismatches_total`) and repaired by rebuilding the live read models; until
 * the rebuild is done, the statutory outputs (breaches, TSM, the annual report) and the list are
 * refused (503 READ_MODELS.REPAIRING) rather than served from read models known to be wrong.
 */
export class ReadModelWatch {
  private state: ReadModelCheck = { status: 'unchecked', checkedAt: null, position: null, mismatched: [] };
  private running: Promise<ReadModelCheck> | null = null;
  /** Abandons the check running (the service is stopping). */
  private abandon: AbortController | null = null;
  private timer?: NodeJS.Timeout;
  private readonly mismatches: Counter<'read_model'>;
  private readonly consistent: Gauge;

  constructor(private readonly options: ReadModelWatchOptions) {
    this.mismatches = new Counter({
      name: 'ledger_read_model_mismatches_total',
      help: 'Read models found disagreeing with the log (each then rebuilt), by read model',
      labelNames: ['read_model'],
      registers: [options.registry],
    });
    this.consistent = new Gauge({
      name: 'ledger_read_models_consistent',
      help: '1 while the latest check found the read models agreeing with the log, 0 while they are rebuilt after a mismatch, -1 before the first check',
      registers: [options.registry],
    });
    this.consistent.set(-1);
  }

  get status(): ReadModelCheck {
    return this.state;
  }

  /** Refuses a read the read models answer while they are known to disagree with the log. */
  assertServable(): void {
    if (this.state.status === 'repairing') throw new ReadModelsRepairing(this.state.mismatched);
  }

  /** A check now (at start, then every `everyMs`); 0: at start only. */
  start(everyMs: number): void {
    void this.check('at start');
    if (everyMs > 0) {
      this.timer = setInterval(() => void this.check('on its schedule'), everyMs);
      this.timer.unref();
    }
  }

  /** No more checks; one running is abandoned where it stands (at a million complaints a check takes minutes). */
  stop(): Promise<unknown> {
    clearInterval(this.timer);
    this.abandon?.abort(new Error('the service is stopping'));
    return this.running ?? Promise.resolve();
  }

  /** Compares the read models with the log (one check at a time: a second ask shares the first), repairing them on a mismatch. */
  check(why: string): Promise<ReadModelCheck> {
    this.running ??= this.run(why).finally(() => (this.running = null));
    return this.running;
  }

  private async run(why: string): Promise<ReadModelCheck> {
    const { logger, readSide, store } = this.options;
    if (!(await this.options.logVerified())) return this.state;
    const before = this.state;
    this.state = { ...before, status: 'checking' };
    const abandon = (this.abandon = new AbortController());
    let found: ReadModelComparison;
    try {
      const { rules, alerts, scratchPath, thread } = this.options;
      found = thread
        ? await checkReadModelsOnAThread({ ...thread, scratchPath, rules, alerts }, abandon.signal)
        : await compareReadModelsWithTheLog({
            readAll: (after, limit) => store.readAll(after, limit),
            live: readSide.db,
            rules,
            alerts,
            scratchPath,
            running: true,
            waitFor: (position) => readModelsReach(readSide.db, position, abandon.signal),
            signal: abandon.signal,
          });
    } catch (error) {
      if (abandon.signal.aborted) {
        logger.log(`the read models' check (${why}) was abandoned: the service is stopping`);
        this.state = before;
        return this.state;
      }
      logger.warn(`the read models could not be checked against the log (${why}): ${(error as Error).message}`);
      this.state = { ...before, status: 'failed', detail: (error as Error).message };
      return this.state;
    }
    const checkedAt = this.options.clock();
    if (!found.mismatched.length) {
      this.state = { status: 'consistent', checkedAt, position: found.position, mismatched: before.mismatched };
      this.consistent.set(1);
      return this.state;
    }
    for (const name of found.mismatched) this.mismatches.inc({ read_model: name });
    this.consistent.set(0);
    this.state = { status: 'repairing', checkedAt, position: found.position, mismatched: found.mismatched };
    logger.error(
      `READ MODELS DISAGREE WITH THE LOG (${why}): ${found.mismatched.join(', ')} at position ${found.position} are not what the log gives. ` +
        'Rebuilding them from the log; breaches, TSM, the annual report and the list answer 503 until it is done. See docs/operations.md.',
    );
    try {
      const position = await readSide.runner.rebuild();
      logger.log(`read models rebuilt from the log up to position ${position} after the mismatch`);
      this.state = { ...this.state, status: 'consistent' };
      this.consistent.set(1);
    } catch (error) {
      logger.error(`rebuilding the read models failed: ${(error as Error).message}; they stay refused until a check finds them agreeing`);
      this.state = { ...this.state, detail: (error as Error).message };
    }
    return this.state;
  }
}
