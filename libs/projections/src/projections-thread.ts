import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import { startThread } from '@complaint-ledger/event-store';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  rulesAsData,
  type FromProjectionsThread,
  type ProjectionsThreadData,
  type ToProjectionsThread,
} from './projections-thread-protocol';
import { dumpReadModels, type ReadModelDatabase } from './read-model-database';
import { readModelProjections } from './read-model-projections';
import type { LiveProjections } from './runner';

export interface ProjectionsThreadOptions {
  /** The SQLite event log the thread reads (on a connection of its own). */
  readonly logPath: string;
  /** The read models' file, which this thread reads through `db` while the projections thread writes it. */
  readonly projectionsPath: string;
  readonly db: ReadModelDatabase;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
  /** This process's commits (SqliteEventStore.onCommit): the thread hears of each at once instead of at its next poll. */
  readonly onCommit?: (listener: () => void) => () => void;
  /** How soon a thread that died is replaced. */
  readonly restartMs?: number;
  /** What the operator should know (the read models rebuilt, and why). */
  readonly onNotice?: (message: string) => void;
}

const COMMIT: ToProjectionsThread = { type: 'commit' };

/**
 * The projections kept on a thread of their own (projections-worker.ts), seen from the thread that
 * serves HTTP. Applying events (reading them back from the log, folding, writing documents in
 * transactions) would otherwise take slices of that thread that commands queue behind. The thread has its own connections; queries still read the read models
 * here, through `db` (WAL: readers never wait for the writer). `position` and `lastFailure` are
 * what the thread last reported, after each batch, so `asOfPosition` stays truthful. A thread
 * that dies is reported as the failure and replaced after `restartMs`; its runner resumes from
 * the checkpoint, as after a crash.
 */
export class ProjectionsThread implements LiveProjections {
  private worker: Worker | null = null;
  private reported: { position: number; failure: unknown } = { position: -1, failure: null };
  private readonly requests = new Map<number, { resolve: (position: number) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private started: { resolve: () => void } | null = null;
  private stopped = true;
  private restartTimer?: NodeJS.Timeout;
  private stopListening?: () => void;

  constructor(private readonly options: ProjectionsThreadOptions) {}

  get position(): number {
    return this.reported.position;
  }

  get lastFailure(): unknown {
    return this.reported.failure;
  }

  /** Starts the thread and resolves once it has caught up (or reported why it could not: it keeps trying). */
  start(): Promise<void> {
    this.stopped = false;
    this.stopListening ??= this.options.onCommit?.(() => this.worker?.postMessage(COMMIT));
    return new Promise((resolve) => {
      this.started = { resolve };
      this.spawn();
    });
  }

  catchUp(): Promise<number> {
    return this.request('catchUp');
  }

  rebuild(): Promise<number> {
    return this.request('rebuild');
  }

  dump(): string {
    return dumpReadModels(this.options.db, readModelProjections(this.options.rules, this.options.alerts));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.started?.resolve(); // a start still waiting for its thread is over
    this.started = null;
    this.stopListening?.();
    this.stopListening = undefined;
    const worker = this.worker;
    if (!worker) return;
    await this.request('stop').catch(() => undefined); // the thread closes its connections first
    this.worker = null;
    await worker.terminate();
  }

  private request(type: 'catchUp' | 'rebuild' | 'stop'): Promise<number> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the projections thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      worker.ref(); // an answer is awaited: the process waits for it
      worker.postMessage({ type, id } satisfies ToProjectionsThread);
    });
  }

  private spawn(): void {
    const { rules, alerts, logPath, projectionsPath } = this.options;
    const workerData: ProjectionsThreadData = {
      role: 'projections',
      logPath,
      projectionsPath,
      rules: rulesAsData(rules),
      alerts,
    };
    // its own memory bound (see projections-worker.ts)
    const worker = startThread(join(__dirname, 'projections-worker'), {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 },
      aliases: true,
    });
    this.worker = worker;
    worker.on('message', (message: FromProjectionsThread) => this.received(worker, message));
    let failure: unknown = null;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => this.lost(worker, failure ?? new Error(`the projections thread stopped (exit code ${code})`)));
  }

  private received(worker: Worker, message: FromProjectionsThread): void {
    if (message.type === 'notice') return this.options.onNotice?.(message.message);
    if (message.type === 'started' || message.type === 'progress') {
      this.reported = { position: message.position, failure: message.failure === null ? null : new Error(message.failure) };
      if (message.type === 'started') {
        this.started?.resolve();
        this.started = null;
      }
    } else {
      const request = this.requests.get(message.id);
      if (!request) return;
      this.requests.delete(message.id);
      if (message.type === 'done') request.resolve(message.position);
      else request.reject(new Error(message.message));
    }
    // nothing awaited from the thread: it does not keep the process alive (as the in-process runner's timers do not)
    if (!this.requests.size && !this.started) worker.unref();
  }

  private lost(worker: Worker, error: unknown): void {
    if (this.worker === worker) this.worker = null;
    for (const { reject } of this.requests.values()) reject(error as Error);
    this.requests.clear();
    if (this.stopped) return;
    this.reported = { ...this.reported, failure: error };
    this.restartTimer = setTimeout(() => this.spawn(), this.options.restartMs ?? 1000);
    this.restartTimer.unref();
  }
}
