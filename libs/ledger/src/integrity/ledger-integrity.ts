import type { LedgerLogger } from '../logger';
import { CHECKPOINT_STREAM, type Checkpoint, type CheckpointState } from '@complaint-ledger/domain';
import { claimsAuthentication, type EventKeyRing, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import type { KeyFileAudit } from '@complaint-ledger/privacy';
import { KeyStoreCheck } from './key-store-check';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import { LedgerBroken, LedgerStillVerifying } from '../write/refusals';
import type { WritePath } from '../write/write-path';
import type { CheckpointSigningKey, CheckpointVerifyingKey } from './checkpoint-key';
import { readMark, verifySinceMark, writeMark } from './verified-mark';
import { streamProblem } from './stream-check';
import {
  LedgerVerifier,
  readThrough,
  verifyLedger,
  witnessProblem,
  type LedgerBreak,
  type LedgerVerdict,
  type VerifiedState,
} from './verify-ledger';

export interface IntegritySettings {
  /** Signs checkpoints when given; without it this process only verifies. */
  readonly signing: CheckpointSigningKey | null;
  /** Checks signatures: the signing key's public half, or a public key alone. */
  readonly verifying: CheckpointVerifyingKey | null;
  /** Checks each event's MAC (decision 0023); without them only that none after an authenticated one lacks a MAC. */
  readonly eventKeys?: EventKeyRing | null;
  /** The residents' key file, checked against the keys events name (decision 0023), where this process holds it. */
  readonly keyFile?: KeyFileAudit | null;
  /** A file outside the data (another disk, a mounted share) where each checkpoint is also kept. */
  readonly witnessFile?: string;
  /** Whether this process may sign now (it holds the duties' lease): one signer at a time; absent, always. */
  readonly maySign?: () => boolean;
  /** Sign once this many events are unsigned (0: this process signs none)… */
  readonly everyEvents: number;
  /** …or once the oldest unsigned event has waited this long. */
  readonly everyMs: number;
  /** Where the last verification got to (signed), so the next start verifies only what follows. */
  readonly markFile?: string;
  /** After a start from the mark, verify the whole log again in the background (default: yes). */
  readonly wholeLogAtStart?: boolean;
  /** Verify the whole log again this often while running (default: a day). */
  readonly wholeLogEveryMs?: number;
  /**
   * The least time between two whole-log passes asked for by writes from outside this process (a
   * pass costs a read of the whole log): also at least ten times as long as the last pass took, so
   * another ledger process writing the same file keeps this one busy a tenth of the time at most.
   */
  readonly passGapMs?: number;
}

export type IntegrityStatus = 'verifying' | 'intact' | 'broken';
/** How much of the log this process has verified: only what follows its mark, or all of it. */
export type VerifiedScope = 'none' | 'since-mark' | 'whole-log';

/** Checkpoints kept in a witness file, one JSON line each. */
export function readWitness(path: string): Checkpoint[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Checkpoint);
}

/**
 * The ledger's watch over its own log. At start it verifies the log (every event, every stream,
 * the ledger chain, every checkpoint and its signature, the witness file): from its signed mark
 * when it has one (what follows the last checkpoint verified), then the whole log again in the
 * background; otherwise the whole log. On a break it logs it, readiness fails, the metric drops
 * to 0, and the write path refuses everything while reads keep working. While intact it follows
 * the log, verifying each new event, and signs a checkpoint every `everyEvents` events or
 * `everyMs`, and one more at shutdown, into the log through the write path and into the witness
 * file; each checkpoint it verifies moves its mark.
 */
export class LedgerIntegrity {
  status: IntegrityStatus = 'verifying';
  broken: LedgerBroken | null = null;
  scope: VerifiedScope = 'none';
  private verifier: LedgerVerifier;
  private markedPosition = -1;
  private known: { state: CheckpointState; revision: number } = { state: { last: null }, revision: -1 };
  private unsigned = 0;
  private oldestUnsignedAt = 0;
  private working: Promise<unknown> = Promise.resolve();
  private readonly gauge: Gauge;
  private stopped = false;
  private wake: () => void = () => undefined;
  /** The whole-log passes while running: when the last began and how long it took, one at a time. */
  private passStartedAt = -Infinity;
  private passMs = 0;
  private passing = false;
  private passTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: EventStore,
    private readonly write: WritePath,
    private readonly clock: Clock,
    private readonly settings: IntegritySettings,
    private readonly logger: LedgerLogger,
    registry: Registry,
  ) {
    this.gauge = new Gauge({
      name: 'ledger_integrity_intact',
      help: "1 while the ledger's own verification finds the log intact, 0 once it finds a break (-1 while verifying)",
      registers: [registry],
    });
    this.gauge.set(-1);
    this.verifier = this.newVerifier();
  }

  private newVerifier(from?: VerifiedState): LedgerVerifier {
    return new LedgerVerifier({ ...this.verifierOptions(), from });
  }

  private verifierOptions() {
    const readStream = (streamId: string) => this.store.readStream(streamId);
    const keyFile = this.settings.keyFile ? new KeyStoreCheck(this.settings.keyFile, readStream) : null;
    return {
      key: this.settings.verifying,
      eventKeys: this.settings.eventKeys,
      readStream,
      ...(keyFile ? { inspect: (event: RecordedEvent) => keyFile.check(event) } : {}),
    };
  }

  /**
   * The last log position verification has passed while the ledger is intact; -1 while the start-up
   * pass runs or once a break is found. The relay publishes nothing after it: an event forged in
   * the store is never put on Kafka, where no one could call it back.
   */
  get verifiedThrough(): number {
    return this.status === 'intact' ? this.verifier.head.position : -1;
  }

  /** The public key that checks this ledger's checkpoints, if it has one. */
  get publicKey(): CheckpointVerifyingKey | null {
    return this.settings.verifying;
  }

  /** A full verification of the log as it is now (the auditor's endpoint): a break it finds is a break of the ledger. */
  async verify(): Promise<LedgerVerdict> {
    const verdict = await verifyLedger((after, limit) => this.store.readAll(after, limit), {
      ...this.verifierOptions(),
      witnessed: this.witnessed(),
    });
    if (verdict.break) this.reportBreak(verdict.break);
    return verdict;
  }

  private witnessed() {
    return this.settings.witnessFile ? readWitness(this.settings.witnessFile) : [];
  }

  /** From the mark when there is a good one (and says so), else the whole log. */
  private async verifyAtStart(): Promise<{ verdict: LedgerVerdict; verifier: LedgerVerifier; fromMark: boolean }> {
    const { markFile, verifying: key } = this.settings;
    const found = markFile && key ? readMark(markFile, key) : { mark: null, why: 'no mark file or no key' };
    if (found.mark && key) {
      const mark = found.mark;
      const verifier = this.newVerifier(mark);
      const verdict = await verifySinceMark(
        this.store,
        mark,
        { key, witnessed: this.witnessed(), eventKeys: this.settings.eventKeys },
        verifier,
      );
      return { verdict, verifier, fromMark: true };
    }
    if (markFile && key && 'why' in found) this.logger.log(`verifying the whole log (${found.why})`);
    const verifier = this.newVerifier();
    const verdict = await this.wholeLog(verifier);
    return { verdict, verifier, fromMark: false };
  }

  /** `abandon`: the ledger is closing, stop reading (the caller ignores the verdict). */
  private async wholeLog(verifier: LedgerVerifier, abandon = () => false): Promise<LedgerVerdict> {
    const verdict = await readThrough(verifier, (after, limit) => (abandon() ? Promise.resolve([]) : this.store.readAll(after, limit)));
    if (verdict.break) return verdict;
    const missing = witnessProblem(this.witnessed(), (checkpoint) => verifier.met(checkpoint));
    return missing ? verifier.verdict(missing) : verdict;
  }

  /**
   * Verifies the log (from the mark, or whole); when intact, the checkpointer carries on from its
   * end, and after a start from the mark the whole log is verified again in the background. A
   * store that cannot be read (down, unreachable) is no finding about the log: verification is
   * tried again every `retryMs` until it runs, or the ledger closes.
   */
  async start(retryMs = 5_000): Promise<void> {
    await this.store.outsideWrites?.(); // where the log stands now: a write from outside from here on asks for a pass
    this.retryMs = retryMs;
    const startedAt = Date.now();
    const started = await this.untilRead(() => this.verifyAtStart(), retryMs);
    if (!started) return;
    const { verdict, verifier, fromMark } = started;
    if (verdict.break) return this.breakFound(verdict);
    this.status = 'intact';
    this.scope = fromMark ? 'since-mark' : 'whole-log';
    this.gauge.set(1);
    this.verifier = verifier;
    this.known = { state: { last: verdict.checkpoints.latest }, revision: verdict.checkpointRevision };
    this.unsigned = verdict.eventsAfterLatestCheckpoint;
    this.oldestUnsignedAt = Date.now();
    this.moveMark(verifier);
    const { latest } = verdict.checkpoints;
    this.logger.log(
      `ledger verified ${fromMark ? `from its mark to the end (position ${verdict.head.position})` : 'from the start'}: ` +
        `${verdict.head.events} events in ${verdict.streams} streams intact; ` +
        (latest ? `latest checkpoint at position ${latest.position} (${latest.at})` : 'no checkpoint yet'),
    );
    if (!fromMark) [this.passStartedAt, this.passMs] = [startedAt, Date.now() - startedAt];
    else if (this.settings.wholeLogAtStart !== false) this.requestPass('after a start from the mark');
  }

  private retryMs = 5_000;

  /** Settles once the background pass over the whole log under way, if any, has run. */
  wholeLogPass: Promise<void> = Promise.resolve();

  /**
   * Asks for the whole log to be verified again in the background: after a start from the mark,
   * on the schedule, and when something other than this process wrote to the log (SQLite's
   * data_version moved: another ledger process, or someone editing the file). One pass at a time,
   * spaced by `passGapMs` and ten times the last pass's length; one asked for sooner runs then.
   */
  requestPass(why: string): void {
    if (this.passing || this.passTimer || this.stopped || this.status !== 'intact') return;
    const wait = this.passStartedAt + Math.max(this.settings.passGapMs ?? 10_000, 10 * this.passMs) - Date.now();
    if (wait > 0) {
      this.passTimer = setTimeout(() => {
        this.passTimer = undefined;
        this.requestPass(why);
      }, wait);
      this.passTimer.unref();
      return;
    }
    this.wholeLogPass = this.verifyWholeLogAgain(why);
  }

  /** What came before was verified already; read it all again, so a change made to it since is found too. */
  private async verifyWholeLogAgain(why: string): Promise<void> {
    this.passing = true;
    this.passStartedAt = Date.now();
    try {
      const verifier = this.newVerifier();
      const verdict = await this.untilRead(() => this.wholeLog(verifier, () => this.stopped), this.retryMs);
      if (!verdict || this.stopped || this.status === 'broken') return;
      if (verdict.break) return this.breakFound(verdict);
      this.scope = 'whole-log';
      this.logger.log(`ledger verified from the start in the background (${why}): ${verdict.head.events} events intact`);
    } finally {
      this.passMs = Date.now() - this.passStartedAt;
      this.passing = false;
    }
  }

  private async untilRead<T>(verify: () => Promise<T>, retryMs: number): Promise<T | null> {
    while (!this.stopped) {
      try {
        return await verify();
      } catch (error) {
        if (this.stopped) break;
        this.logger.warn(`ledger verification could not read the log (${(error as Error).message}); trying again`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, retryMs).unref();
        });
      }
    }
    return null;
  }

  private breakFound(verdict: LedgerVerdict): void {
    this.reportBreak(verdict.break!);
  }

  /** A break found by this watch or by anyone reading the log (a command's stream, a reader's): from now on nothing is written. */
  reportBreak(found: LedgerBreak): LedgerBroken {
    if (this.broken) return this.broken; // the first break found is the one named
    this.status = 'broken';
    this.broken = new LedgerBroken(found);
    this.gauge.set(0);
    this.logger.error(`LEDGER INTEGRITY BROKEN: ${this.broken.message}. Writes are refused; reads go on. See docs/operations.md.`);
    return this.broken;
  }

  /**
   * Whether one stream as just read from the store is what verification covers (stream-check.ts):
   * its hashes, links and MACs, and its end against the last link the verifier saw. A problem is a
   * break of the whole ledger, reported as one.
   */
  checkStream(streamId: string, events: readonly RecordedEvent[], tail = false): LedgerBreak | null {
    const found = streamProblem(
      streamId,
      events,
      {
        eventKeys: this.settings.eventKeys ?? null,
        authenticatedFrom: this.verifier.authenticationBegan,
        known: this.verifier.knownLink(streamId),
      },
      tail,
    );
    if (found) this.reportBreak(found);
    // until the start-up pass has found where MACs begin, a stream holding none may be a forgery made since: not taken yet
    // (a complaint's: residents' key streams are read at start, moving a key file, and stay as strict as before)
    else if (
      this.status === 'verifying' &&
      this.settings.eventKeys &&
      streamId.startsWith('complaint-') &&
      events.length &&
      !events.some(claimsAuthentication)
    )
      throw new LedgerStillVerifying(streamId);
    return found;
  }

  /**
   * Refuses, before anything is destroyed, what could meet a stream that is not judged yet while the
   * start-up pass runs (an erasure destroys a resident's keys, then records itself in each complaint).
   */
  refuseWhileVerifying(what: string): void {
    if (this.status === 'verifying' && this.settings.eventKeys)
      throw new LedgerStillVerifying(what, `the ledger is still verifying its log at start: ${what} waits until it has (nothing was done)`);
  }

  /** Records, signed, the state after the latest checkpoint the verifier has met, for the next start. */
  private moveMark(verifier: LedgerVerifier): void {
    const state = verifier.lastCheckpointState;
    const { markFile, signing } = this.settings;
    if (!state || !markFile || !signing || state.position <= this.markedPosition) return;
    writeMark(markFile, state, signing, this.clock());
    this.markedPosition = state.position;
  }

  /**
   * Every second: asks for a whole-log pass when something else wrote to the log or one is due,
   * follows the log (verifying each new event) and signs a checkpoint when one is due (or `force`d,
   * at shutdown, if anything is unsigned).
   */
  tick(force = false): Promise<unknown> {
    this.working = this.working
      .then(() => this.watch())
      .then(() => this.follow(force))
      .catch((error: unknown) => {
        this.logger.error(`checkpoint failed: ${(error as Error).message}`);
      });
    return this.working;
  }

  private async watch(): Promise<void> {
    if (this.status !== 'intact' || this.stopped) return;
    if (await this.store.outsideWrites?.()) this.requestPass('something other than this process wrote to the log');
    if (Date.now() - this.passStartedAt >= (this.settings.wholeLogEveryMs ?? 86_400_000)) this.requestPass('on its schedule');
  }

  /** Verifies what was appended since, then signs over it if a checkpoint is due: nothing unverified is signed. */
  private async follow(force: boolean): Promise<void> {
    if (this.status !== 'intact') return;
    if (!(await this.readOn())) return;
    // every process follows and verifies the log (decision 0023); only the duties' holder signs
    if (!this.settings.signing || !this.settings.everyEvents) return;
    if (this.settings.maySign && !this.settings.maySign()) return;
    const due = this.unsigned >= this.settings.everyEvents || Date.now() - this.oldestUnsignedAt >= this.settings.everyMs;
    if (!this.unsigned || !(due || force)) return;
    const checkpoint = this.settings.signing.sign(this.verifier.head, this.clock(), this.verifier.tree);
    const recorded = await this.write.recordCheckpoint(checkpoint);
    if (recorded) {
      this.known = { state: { last: checkpoint }, revision: recorded.revision };
      if (this.settings.witnessFile) appendFileSync(this.settings.witnessFile, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    }
    this.unsigned = 0;
    if (force) await this.readOn(); // at shutdown, read the last checkpoint back so the mark stands on it
  }

  /** Verifies the log from where the verifier stands to its end, and moves the mark; false on a break. */
  private async readOn(): Promise<boolean> {
    for (;;) {
      const page = await this.store.readAll(this.verifier.head.position, 2_000);
      if (!page.length) break;
      for (const event of page) {
        const found = await this.verifier.check(event);
        if (found) {
          this.breakFound(this.verifier.verdict(found));
          return false;
        }
        if (event.streamId === CHECKPOINT_STREAM) continue; // a checkpoint needs no checkpoint of its own
        if (!this.unsigned) this.oldestUnsignedAt = Date.now();
        this.unsigned += 1;
      }
    }
    this.moveMark(this.verifier);
    return true;
  }

  /** Ends a verification still waiting to retry, and any pass waiting its turn (the ledger is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.passTimer);
    this.wake();
  }

  readiness(): { status: IntegrityStatus; verified: VerifiedScope; checkpoint: { position: number; at: string } | null; break?: string } {
    const last = this.known.state.last;
    return {
      status: this.status,
      verified: this.scope,
      checkpoint: last ? { position: last.position, at: last.at } : null,
      ...(this.broken ? { break: this.broken.message } : {}),
    };
  }
}
