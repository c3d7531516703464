import { plainLoggers, type LedgerLogger, type LoggerFactory } from '../logger';
import type { ComplianceRules } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventKeyRing, type EventStore } from '@complaint-ledger/event-store';
import { DataKeyStore } from '@complaint-ledger/privacy';
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
import { masterKeyFrom, openPersonalData, type PersonalData } from './personal-data';
import type { KeyStreamCheck } from '../keys/eventstore-key-store';
import { complianceRulesFrom, openReadSide } from './read-side';
import { openRelay } from './relay';
import type { LedgerIntegrity } from '../integrity/ledger-integrity';
import { openIntegrity } from './integrity';
import { ReadModelWatch } from '../read/read-model-watch';
import { unreadableBreak } from '../integrity/verify-ledger';
import { refuseDuringRestore } from '../backup/restore-marker';
import { openDuties } from '../duties/open-duties';
import type { DutyLease } from '../duties/lease';
import { openEvidence, type Evidence } from './evidence';
import { Imports } from '../import/imports';
import { ClockWatch } from '../health/clock-watch';

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
  /** Loggers by context (the service's log lines in the apps: openLogging); plain lines by default. */
  readonly loggers?: LoggerFactory;
  /**
   * Commit the SQLite log on a writer thread whatever the role (LEDGER_THREADS still says no): the
   * import decides on its main thread while the writer commits. The projections stay as the role has them.
   */
  readonly writerThread?: boolean;
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
  /** The lease on the singleton duties: only its holder relays, sweeps, signs checkpoints and applies retention. */
  readonly duties: DutyLease;
  /** Documents on complaints' records, proofs against signed tree heads, and evidence packs (decision 0024). */
  readonly evidence: Evidence;
  /** Bulk imports of a landlord's history, through the write path (docs/import.md). */
  readonly imports: Imports;
  /** This process's clock against the store's: too far off, and nothing is written (decision 0029). */
  readonly clockWatch: ClockWatch;
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
    this.clockWatch = ClockWatch.for(store, clock, config.LEDGER_MAX_CLOCK_OFFSET_MS, loggers('clock'));
    this.readSide = openReadSide(config, store, this.rules, threads, (message) => logger.warn(message));
    this.duties = openDuties(config, store, clock, loggers('duties'), () => !this.clockWatch.refusal);
    this.relay = openRelay(
      config,
      store,
      this.readSide,
      clock,
      loggers('kafka-relay'),
      this.metrics.registry,
      () => ledger.readModels.status.status !== 'repairing', // TSM figures are not published from read models known to be wrong
      this.duties,
      () => ledger.integrity.verifiedThrough, // nothing verification has not passed goes on Kafka (decision 0023)
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
        checkStream: (streamId, events, tail) => ledger.integrity.checkStream(streamId, events, tail),
        unreadable: (error) => ledger.integrity.reportBreak(unreadableBreak(error)),
      },
      clockWatch: this.clockWatch,
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
      thread:
        threads && store instanceof SqliteEventStore && config.projectionsPath !== ':memory:'
          ? { logPath: store.path, projectionsPath: config.projectionsPath }
          : undefined,
    });
    this.integrity = openIntegrity(
      config,
      store,
      this.write,
      clock,
      logger,
      this.metrics.registry,
      eventKeys,
      personalData?.keys instanceof DataKeyStore ? personalData.keys.audit : null, // keys in EventStoreDB: decision 0028
      () => this.mayRunDuties(),
    );
    // the key store found altered (a key that does not open as its resident's, a key missing without an erasure) is a break of the ledger
    personalData?.keys.onAltered((error) => this.integrity.reportBreak({ kind: 'key-store-altered', position: -1, detail: error.detail }));
    this.evidence = openEvidence(config, store, this.write, this.integrity, personalData, clock);
    this.queries = new LedgerQueries(store, this.readSide, this.rules, config, clock, threads, {
      documents: this.evidence.store,
      eventKeys,
      check: (streamId, events) => ledger.integrity.checkStream(streamId, events),
      servable: () => ledger.readModels.assertServable(),
    });
    this.evidence.connect(this.queries.complaints);
    this.detector = new DeadlineDetector(this.write, this.readSide.db, { clock });
    this.erasure = personalData
      ? new ResidentErasure(personalData.keys, this.write, this.readSide, clock, (what) => this.integrity.refuseWhileVerifying(what))
      : null;
    this.imports = new Imports({
      path: config.importsPath,
      maxUploadBytes: config.LEDGER_IMPORT_MAX_MB * 1024 * 1024,
      write: this.write,
      store,
      clock,
      clockSkewMs: config.LEDGER_CLOCK_SKEW_SECONDS * 1000,
      compliance: { rules: this.rules, alerts: config.alertSettings },
      verified: () => this.verification,
    });
  }

  /** Opens everything; the master key is read first, so without one an API process has opened nothing. */
  static open(config: LedgerConfig, { role, clock = systemClock, store, loggers = plainLoggers, writerThread }: OpenLedgerOptions): Ledger {
    const logger = loggers('ledger');
    const keysInTheStore = config.LEDGER_STORE === 'eventstoredb';
    const files = [...(config.LEDGER_STORE === 'sqlite' ? [config.LEDGER_SQLITE_PATH] : []), ...(keysInTheStore ? [] : [config.keysPath])];
    refuseDuringRestore(files);
    let masterKey: Buffer | null = null;
    try {
      masterKey = masterKeyFrom(config);
    } catch (error) {
      if (role === 'api') throw error;
      logger.warn(`retention is off: ${(error as Error).message}`);
    }
    const threads = role === 'api' && config.LEDGER_THREADS;
    const eventKeys = eventKeysFrom(config);
    if (!eventKeys)
      logger.warn('no LEDGER_EVENT_KEY_FILE: events are written unauthenticated (docs/decisions/0023-authenticated-events.md)');
    const eventStore = store ?? openEventStore(config, clock, logger, (writerThread || threads) && config.LEDGER_THREADS, eventKeys);
    let personalData: PersonalData | null = null;
    // the ledger's integrity watch checks the key streams as it checks every stream read: it exists once the ledger does, before any key is read
    let opened: Ledger | undefined;
    const checkKeyStream: KeyStreamCheck = (streamId, events, tail) => opened?.integrity.checkStream(streamId, events, tail) ?? null;
    try {
      personalData = masterKey ? openPersonalData(config, masterKey, eventStore, clock, loggers('data-keys'), checkKeyStream) : null;
      refuseDuringRestore(files); // again, now the files are open: a restore begun meanwhile is not run over
    } catch (error) {
      void eventStore.close();
      personalData?.keys.close();
      throw error;
    }
    // With the SQLite log, new data keys are synced by the thread that commits the log, just before
    // the events that use them. With EventStoreDB they are in it, each acknowledged before the events
    // that use it are appended (decision 0028); with memory, nothing outlives the process.
    if (personalData?.keys instanceof DataKeyStore && eventStore instanceof SqliteEventStore) {
      const keysDependency = personalData.keys.commitDependency();
      if (keysDependency) eventStore.dependOn(keysDependency);
    }
    try {
      return (opened = new Ledger(config, role, clock, eventStore, personalData, eventKeys, logger, loggers, threads));
    } catch (error) {
      // the read models kept by another process (ReadModelInUse), a bad setting: close what was opened, so the caller may try again
      if (!store) void eventStore.close();
      personalData?.keys.close();
      throw error;
    }
  }

  /**
   * Projections catch up, then the duties start where this process may run them: the relay, the
   * deadline sweeps, checkpoint signing and (in the worker) retention, each acting only while this
   * process holds the duties' lease.
   */
  async start(): Promise<void> {
    await this.clockWatch.start(); // a clock that is off is known before anything is written
    await this.personalData?.moveKeyFile?.(); // before anything is read or written with the keys it holds
    await this.readSide.start();
    const sweepMs = this.config.LEDGER_BREACH_SWEEP_SECONDS * 1000;
    const years = this.role === 'worker' && this.erasure ? this.config.LEDGER_RETENTION_YEARS : 0;
    const signs = !!this.config.LEDGER_SIGNING_KEY_FILE && this.config.LEDGER_CHECKPOINT_EVERY_EVENTS > 0;
    if (this.relay || sweepMs > 0 || years || signs) await this.duties.start();
    this.relay?.start();
    this.watchIntegrity();
    this.readModels.start(this.config.LEDGER_READ_MODEL_CHECK_SECONDS * 1000); // in the background, once the log is verified
    // the ledger's own writers decide from the log: they wait for it to be verified (sweep, retain), and never write on an altered one
    if (sweepMs > 0) {
      const sweepIfHeld = () => void (this.mayRunDuties() && this.sweep());
      sweepIfHeld(); // the start-up sweep need not hold up serving
      this.every(sweepMs, sweepIfHeld);
      this.duties.onChange((held) => held && sweepIfHeld()); // a new holder sweeps at once
    }
    if (years) {
      const erasure = this.erasure!;
      const retain = () =>
        void (
          this.mayRunDuties() &&
          this.afterVerification('retention')
            .then((verified) => (verified ? erasure.eraseExpired(years) : []))
            .then(
              (erased) => erased.length && this.logger.log(`retention: erased ${erased.length} residents' personal data`),
              (error: unknown) => this.logger.error(`retention sweep failed: ${(error as Error).message}`),
            )
        );
      retain();
      this.every(DAY_MS, retain);
      this.duties.onChange((held) => held && retain());
      this.logger.log(`retention: personal data erased ${years} years after a resident's last complaint closed`);
    }
  }

  /**
   * The Kafka relay publishes the log again from just after `afterPosition` when it next runs
   * (`npm run relay:republish`): the duties' lease is taken for it, so it is refused while another
   * process runs the relay.
   */
  async republishFrom(afterPosition: number): Promise<number> {
    if (!this.relay) throw new Error('no Kafka relay is configured here (LEDGER_KAFKA_BROKERS unset or LEDGER_RELAY=off)');
    await this.duties.start();
    try {
      if (!this.duties.held)
        throw new Error(`another process runs the relay (${this.duties.lastSeen?.holder ?? 'unknown'}): stop it first`);
      await this.relay.republishFrom(afterPosition);
      return this.relay.status().position;
    } finally {
      await this.duties.stop();
    }
  }

  /**
   * What a process that only writes needs (the bulk import, which catches the read models up once
   * it has written, not event by event): the log verified in the background, checkpoints signed
   * as it grows; no projections, relay or sweeps.
   */
  startWriting(): void {
    void this.clockWatch.start();
    this.watchIntegrity();
  }

  /** The duties' writes (sweeps, checkpoints, retention) run in their holder, and pause while its clock is off (the watch has said so once). */
  private mayRunDuties(): boolean {
    return this.duties.held && !this.clockWatch.refusal;
  }

  /** The whole log verified in the background (serving need not wait for a long log); checkpoints follow once it is intact. */
  private watchIntegrity(): void {
    this.verification = this.integrity.start().then(
      () => this.every(1000, () => void this.integrity.tick()),
      (error: unknown) => this.logger.error(`ledger verification could not run: ${(error as Error).message}`),
    );
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
    return readiness(
      this.store,
      this.readSide,
      this.relay,
      this.integrity,
      keys,
      this.duties,
      this.clockWatch.check(),
      this.readModels.status,
    );
  }

  /** Stops the timers and the relay, lets a sweep under way finish, then closes the read side, the log and the keys. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.clockWatch.stop();
    await this.imports.close();
    await this.sweeping;
    this.integrity.stop();
    await this.verification;
    await this.integrity.wholeLogPass;
    await this.integrity.tick(true); // a last checkpoint over everything written
    await this.readModels.stop();
    await this.relay?.stop();
    await this.duties.stop(); // given up: another process takes the duties over at once
    await this.queries.close();
    await this.readSide.stop();
    await this.store.close();
    this.evidence.close();
    this.personalData?.keys.close();
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
