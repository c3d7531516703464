import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import { BreachDetector, type SweepResult } from './alerts/breach-detector';
import { ProjectionsThread } from './projections-thread';
import { openReadModelDatabase, type ReadModelDatabase } from './read-model-database';
import { readModelProjections } from './read-model-projections';
import { ProjectionRunner, type LiveProjections } from './runner';

export interface ReadSideOptions {
  readonly store: EventStore;
  /** The projections' SQLite file (`:memory:` for a throwaway one). */
  readonly path: string;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
  readonly clock: () => string;
  /** Breach sweeps every so many ms, and once at start-up; 0 leaves detection to another process. */
  readonly sweepIntervalMs: number;
  readonly onSweep?: (result: SweepResult) => void;
  readonly onError?: (error: unknown) => void;
  /**
   * Keep the projections on a thread of their own (projections-thread.ts), reading the SQLite log
   * at `logPath`; `onCommit` tells it of this process's commits at once. Not for ':memory:'.
   */
  readonly thread?: { readonly logPath: string; readonly onCommit?: (listener: () => void) => () => void };
}

/**
 * The read side in one process: the projections kept live from the log (on this thread, or on one
 * of their own), and (in the worker role) the breach detector sweeping on a timer. `npm start`
 * runs it inside the API process; `apps/ledger-worker` runs it alone.
 */
export class ReadSide {
  readonly db: ReadModelDatabase;
  readonly runner: LiveProjections;
  readonly detector: BreachDetector;
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<SweepResult | null> | null = null;

  constructor(private readonly options: ReadSideOptions) {
    this.db = openReadModelDatabase(options.path);
    const { thread, rules, alerts, path } = options;
    this.runner =
      thread && path !== ':memory:'
        ? new ProjectionsThread({ ...thread, projectionsPath: path, db: this.db, rules, alerts })
        : new ProjectionRunner(options.store, this.db, readModelProjections(rules, alerts));
    this.detector = new BreachDetector(options.store, this.db, options.rules, { settings: options.alerts, clock: options.clock });
  }

  async start(): Promise<void> {
    await this.runner.start();
    if (this.options.sweepIntervalMs > 0) {
      void this.sweep(); // the start-up sweep need not hold up serving
      this.timer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** One sweep (never two at once); errors are reported, not thrown, so the timer keeps going. */
  sweep(): Promise<SweepResult | null> {
    this.sweeping ??= this.detector
      .sweep()
      .then((result) => (this.options.onSweep?.(result), result))
      .catch((error: unknown) => (this.options.onError?.(error), null))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    await this.runner.stop();
    this.db.close();
  }
}
