import { plainLoggers, type LedgerLogger, type LoggerFactory } from '../logger';
import type { ComplianceRules } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventKeyRing, type EventStore } from '@complaint-ledger/event-store';
import type { EventRelay } from '@complaint-ledger/messaging';
import type { ReadSide } from '@complaint-ledger/projections';
import { systemClock, type Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { readiness, type Readiness } from '../health/readiness';
import { DeadlineDetector, type SweepResult } from '../system/deadline-detector';
import { ResidentErasure } from '../system/resident-erasure';
import { CommandMetrics } from '../write/command-metrics';
import { WritePath } from '../write/write-path';
import { LedgerQueries } from '../read/queries';
import { eventKeysFrom, openEventStore } from './event-store';
import { openPersonalData, type PersonalData } from './personal-data';
import { complianceRulesFrom, openReadSide } from './read-side';
import { openRelay } from './relay';
import type { LedgerIntegrity } from '../integrity/ledger-integrity';
import { openIntegrity } from './integrity';
import { ReadModelWatch } from '../read/read-model-watch';
import { unreadableBreak } from '../integrity/verify-ledger';
import { refuseDuringRestore } from '../backup/restore-marker';

/**
 * What a process runs besides the write path. `api`: with LEDGER_THREADS, the log's commits and
 * the projections each on a thread of their own, so neither holds up requests; the master key
 * required. `worker` (and the rebuild): no request thread to keep free, so everything on its main
 * thread (a sweep's burst of appends commits faster inline), retention too, and without a master
 * key everything else keeps running and retention is off.
 */
export type LedgerRole = 'api' | 'worker';

export interface OpenLedgerOptions {
  readonly role: LedgerRole;
  readonly clock?: Clock;
  /** Tests may pass a store; otherwise the configured one is opened. */
  readonly store?: EventStore;
  /** Loggers by context (Nest's Logger in the apps); plain lines by default. */
  readonly loggers?: LoggerFactory;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The ledger opened from configuration, in one place for the API, the worker, the rebuild and the
 * benchmarks: the event store, the residents' data keys, the read side, the Kafka relay, the one
 * write path, and the ledger's own writers (the deadline detector, erasure, retention) on it.
 */
export class Ledger {
  readonly rules: ComplianceRules;
  readonly readSide: ReadSide;
  readonly relay: EventRelay | null;
  readonly metrics = new CommandMetrics();
  /** The one write path of this process: every command, the ledger's own facts and its checkpoints go through it. */
  readonly write: WritePath;
  /** The one query layer: every read the apps make. */
  readonly queries: LedgerQueries;
  readonly detector: DeadlineDetector;
  /** Null in a worker without the master key. */
  readonly erasure: ResidentErasure | null;
  /** Verifies the log at start, refuses writes on a break, and signs checkpoints. */
  readonly integrity: LedgerIntegrity;
  /** Checks the read models against the log (at start, on a schedule), repairing them on a mismatch. */
  readonly readModels: ReadModelWatch;
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping: Promise<SweepResult | null> | null = null;
  /** Settles once the start-up verification has run (the integrity watch says what it found). */
  verification: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: LedgerConfig,
    private readonly role: LedgerRole,
    readonly clock: Clock,
    readonly store: EventStore,
    readonly personalData: PersonalData | null,
    /** The keys events are authenticated under and checked with (decision 0023); null without LEDGER_EVENT_KEY_FILE. */
    readonly eventKeys: EventKeyRing | null,
    private readonly logger: LedgerLogger,
    loggers: LoggerFactory,
    threads: boolean,
  ) {
    const ledger = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the write path asks the integrity watch made after it
    this.rules = complianceRulesFrom(config);
    this.readSide = openReadSide(config, store, this.rules, threads, (message) => logger.warn(message));
    this.relay = openRelay(
      config,
      store,
      this.readSide,
      clock,
      loggers('kafka-relay'),
      this.metrics.registry,
      () => ledger.readModels.status.status !== 'repairing', // TSM figures are not published from read models known to be wrong
    );
    this.write = new WritePath({
      store,
      clock,
      personalData: personalData?.cipher ?? null,
      clockSkewMs: config.LEDGER_CLOCK_SKEW_SECONDS * 1000,
      compliance: { rules: this.rules, alerts: config.alertSettings },
      metrics: this.metrics,
      integrity: {
        get broken() {
          return ledger.integrity.broken;
        },
        checkStream: (streamId, events) => ledger.integrity.checkStream(streamId, events),
        unreadable: (error) => ledger.integrity.reportBreak(unreadableBreak(error)),
      },
    });
    this.readModels = new ReadModelWatch({
      readSide: this.readSide,
      store,
      rules: this.rules,
      alerts: config.alertSettings,
      scratchPath: config.projectionsPath === ':memory:' ? ':memory:' : `${config.projectionsPath}.check.sqlite`,
      clock,
      logger,
      registry: this.metrics.registry,
      logVerified: () => this.afterVerification("the read models' check"),
    });
    this.queries = new LedgerQueries(
      store,
      this.readSide,
      this.rules,
      config,
      clock,
      eventKeys,
      (streamId, events) => ledger.integrity.checkStream(streamId, events),
      () => ledger.readModels.assertServable(),
    );
    this.integrity = openIntegrity(
      config,
      store,
      this.write,
      clock,
      logger,
      this.metrics.registry,
      eventKeys,
      personalData?.keys.audit ?? null,
    );
    // the key file found altered (a row that does not open as its resident's, a key missing without an erasure) is a break of the ledger
    personalData?.keys.onAltered((error) => this.integrity.reportBreak({ kind: 'key-store-altered', position: -1, detail: error.detail }));
    this.detector = new DeadlineDetector(this.write, this.readSide.db, { clock });
    this.erasure = personalData ? new ResidentErasure(personalData.keys, this.write, this.readSide, clock) : null;
  }

  /** Opens everything; the master key is read first, so without one an API process has opened nothing. */
  static open(config: LedgerConfig, { role, clock = systemClock, store, loggers = plainLoggers }: OpenLedgerOptions): Ledger {
    const logger = loggers('ledger');
    const files = [...(config.LEDGER_STORE === 'sqlite' ? [config.LEDGER_SQLITE_PATH] : []), config.keysPath];
    refuseDuringRestore(files);
    let personalData: PersonalData | null = null;
    try {
      personalData = openPersonalData(config, clock);
    } catch (error) {
      if (role === 'api') throw error;
      logger.warn(`retention is off: ${(error as Error).message}`);
    }
    const threads = role === 'api' && config.LEDGER_THREADS;
    const eventKeys = eventKeysFrom(config);
    if (!eventKeys)
      logger.warn('no LEDGER_EVENT_KEY_FILE: events are written unauthenticated (docs/decisions/0023-authenticated-events.md)');
    const eventStore = store ?? openEventStore(config, clock, logger, threads, eventKeys);
    try {
      refuseDuringRestore(files); // again, now the files are open: a restore begun meanwhile is not run over
    } catch (error) {
      void eventStore.close();
      personalData?.keys.close();
      throw error;
    }
    // With the SQLite log, new data keys are synced by the thread that commits the log, just before
    // the events that use them. Any other store cannot do that: the write path then waits for the
    // key file's own fsync before appending (DataKeyStore.durable), so no 2xx names a key a crash loses.
    if (personalData && eventStore instanceof SqliteEventStore) {
      const keysDependency = personalData.keys.commitDependency();
      if (keysDependency) eventStore.dependOn(keysDependency);
    }
    return new Ledger(config, role, clock, eventStore, personalData, eventKeys, logger, loggers, threads);
  }

  /** Projections catch up, then the relay, the deadline sweeps and (in the worker) retention start. */
  async start(): Promise<void> {
    await this.readSide.start();
    this.relay?.start();
    // the whole log is verified in the background (serving need not wait for a long log); checkpoints follow once it is intact
    this.verification = this.integrity.start().then(
      () => this.every(1000, () => void this.integrity.tick()),
      (error: unknown) => this.logger.error(`ledger verification could not run: ${(error as Error).message}`),
    );
    this.readModels.start(this.config.LEDGER_READ_MODEL_CHECK_SECONDS * 1000); // in the background, once the log is verified
    // the ledger's own writers decide from the log: they start once it is verified, and never write on an altered one
    const sweepMs = this.config.LEDGER_BREACH_SWEEP_SECONDS * 1000;
    if (sweepMs > 0) {
      void this.sweep(); // the start-up sweep need not hold up serving
      this.every(sweepMs, () => void this.sweep());
    }
    const years = this.config.LEDGER_RETENTION_YEARS;
    if (this.role === 'worker' && years && this.erasure) {
      const erasure = this.erasure;
      const retain = () =>
        this.afterVerification('retention')
          .then((verified) => (verified ? erasure.eraseExpired(years) : []))
          .then(
            (erased) => erased.length && this.logger.log(`retention: erased ${erased.length} residents' personal data`),
            (error: unknown) => this.logger.error(`retention sweep failed: ${(error as Error).message}`),
          );
      void retain();
      this.every(DAY_MS, () => void retain());
      this.logger.log(`retention: personal data erased ${years} years after a resident's last complaint closed`);
    }
  }

  /** Once the start-up verification has run: whether the log is intact, so `what` may write (said in the log when not). */
  private async afterVerification(what: string): Promise<boolean> {
    await this.verification;
    if (this.integrity.status === 'intact') return true;
    this.logger.warn(`${what} skipped: the ledger's integrity is ${this.integrity.status}, and nothing is written on it`);
    return false;
  }

  /**
   * One deadline sweep (never two at once), once the log is verified and only while it is intact:
   * a sweep decides from the log, so on an altered one it would record breaches of facts nobody
   * recorded. Errors are logged, not thrown, so the timer keeps going.
   */
  sweep(): Promise<SweepResult | null> {
    this.sweeping ??= this.afterVerification('deadline sweep')
      .then((verified) => (verified ? this.detector.sweep() : null))
      .then((result) => {
        if (!result) return null;
        if (result.breaches || result.warnings)
          this.logger.log(`deadline sweep: ${result.breaches} breaches, ${result.warnings} warnings recorded`);
        return result;
      })
      .catch((error: unknown) => (this.logger.error(`deadline sweep failed: ${(error as Error).message}`), null))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  readiness(): Promise<Readiness> {
    const keys = this.role === 'api' ? (this.personalData?.keys ?? null) : null;
    return readiness(this.store, this.readSide, this.relay, this.integrity, keys, this.readModels.status);
  }

  /** Stops the timers and the relay, lets a sweep under way finish, then closes the read side, the log and the keys. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.sweeping;
    this.integrity.stop();
    await this.verification;
    await this.integrity.wholeLogPass;
    await this.integrity.tick(true); // a last checkpoint over everything written
    await this.readModels.stop();
    await this.relay?.stop();
    await this.readSide.stop();
    await this.store.close();
    this.personalData?.keys.close();
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
