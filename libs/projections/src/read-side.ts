import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import { ProjectionsThread } from './projections-thread';
import { openReadModelDatabase, type ReadModelDatabase } from './read-model-database';
import { ReadModelOwnership } from './read-model-owner';
import { readModelProjections } from './read-model-projections';
import { ProjectionRunner, type LiveProjections } from './runner';

export interface ReadSideOptions {
  readonly store: EventStore;
  /** The projections' SQLite file (`:memory:` for a throwaway one). */
  readonly path: string;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
  /**
   * Keep the projections on a thread of their own (projections-thread.ts), reading the SQLite log
   * at `logPath`; `onCommit` tells it of this process's commits at once. Not for ':memory:'.
   */
  readonly thread?: { readonly logPath: string; readonly onCommit?: (listener: () => void) => () => void };
  /** What the operator should know: the read models rebuilt, and why. */
  readonly onNotice?: (message: string) => void;
}

/**
 * The read side in one process: the projections kept live from the log, on this thread or on one
 * of their own, in their own SQLite file. The API and the worker each keep one.
 */
export class ReadSide {
  readonly db: ReadModelDatabase;
  readonly runner: LiveProjections;
  /** What the read models are judged by; queries judging at another instant use the same. */
  readonly rules: ComplianceRules;
  private readonly ownership: ReadModelOwnership;

  /** Refused with ReadModelInUse when another process keeps the same read-model file. */
  constructor(options: ReadSideOptions) {
    this.ownership = ReadModelOwnership.claim(options.path);
    this.db = openReadModelDatabase(options.path);
    const { thread, rules, alerts, path } = options;
    this.rules = rules;
    this.runner =
      thread && path !== ':memory:'
        ? new ProjectionsThread({ ...thread, projectionsPath: path, db: this.db, rules, alerts, onNotice: options.onNotice })
        : new ProjectionRunner(options.store, this.db, readModelProjections(rules, alerts), { onNotice: options.onNotice });
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    this.db.close();
    this.ownership.release();
  }
}
