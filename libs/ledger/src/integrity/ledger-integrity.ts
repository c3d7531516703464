import type { LoggerService } from '@nestjs/common';
import { CHECKPOINT_STREAM, type Checkpoint, type CheckpointState } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import { LedgerBroken } from '../write/refusals';
import type { WritePath } from '../write/write-path';
import type { CheckpointSigningKey, CheckpointVerifyingKey } from './checkpoint-key';
import { LedgerChain } from './ledger-chain';
import { verifyLedger, type LedgerVerdict } from './verify-ledger';

export interface IntegritySettings {
  /** Signs checkpoints when given; without it this process only verifies. */
  readonly signing: CheckpointSigningKey | null;
  /** Checks signatures: the signing key's public half, or a public key alone. */
  readonly verifying: CheckpointVerifyingKey | null;
  /** A file outside the data (another disk, a mounted share) where each checkpoint is also kept. */
  readonly witnessFile?: string;
  /** Sign once this many events are unsigned (0: this process signs none)… */
  readonly everyEvents: number;
  /** …or once the oldest unsigned event has waited this long. */
  readonly everyMs: number;
}

export type IntegrityStatus = 'verifying' | 'intact' | 'broken';

/** Checkpoints kept in a witness file, one JSON line each. */
export function readWitness(path: string): Checkpoint[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Checkpoint);
}

/**
 * The ledger's watch over its own log. At start it verifies the whole log (every event, every
 * stream, the ledger chain, every checkpoint and its signature, the witness file); on a break it
 * logs it, readiness fails, the metric drops to 0, and the write path refuses everything while
 * reads keep working. While intact it follows the log, extends the ledger chain, and signs a
 * checkpoint every `everyEvents` events or `everyMs`, and one more at shutdown, into the log
 * through the write path and into the witness file.
 */
export class LedgerIntegrity {
  status: IntegrityStatus = 'verifying';
  broken: LedgerBroken | null = null;
  private chain = new LedgerChain();
  private known: { state: CheckpointState; revision: number } = { state: { last: null }, revision: -1 };
  private unsigned = 0;
  private oldestUnsignedAt = 0;
  private working: Promise<unknown> = Promise.resolve();
  private readonly gauge: Gauge;
  private stopped = false;
  private wake: () => void = () => undefined;

  constructor(
    private readonly store: EventStore,
    private readonly write: WritePath,
    private readonly clock: Clock,
    private readonly settings: IntegritySettings,
    private readonly logger: LoggerService,
    registry: Registry,
  ) {
    this.gauge = new Gauge({
      name: 'ledger_integrity_intact',
      help: "1 while the ledger's own verification finds the log intact, 0 once it finds a break (-1 while verifying)",
      registers: [registry],
    });
    this.gauge.set(-1);
  }

  /** The public key that checks this ledger's checkpoints, if it has one. */
  get publicKey(): CheckpointVerifyingKey | null {
    return this.settings.verifying;
  }

  /** A full verification of the log as it is now (the auditor's endpoint, and start-up). */
  verify(): Promise<LedgerVerdict> {
    const witnessed = this.settings.witnessFile ? readWitness(this.settings.witnessFile) : [];
    return verifyLedger((after, limit) => this.store.readAll(after, limit), { key: this.settings.verifying, witnessed });
  }

  /**
   * Verifies the log; when intact, the checkpointer carries on from its end. A store that cannot
   * be read (down, unreachable) is no finding about the log: verification is tried again every
   * `retryMs` until it runs, or the ledger closes.
   */
  async start(retryMs = 5_000): Promise<void> {
    let verdict: LedgerVerdict | null = null;
    while (!verdict && !this.stopped) {
      try {
        verdict = await this.verify();
      } catch (error) {
        this.logger.warn?.(`ledger verification could not read the log (${(error as Error).message}); trying again`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, retryMs).unref();
        });
      }
    }
    if (!verdict) return;
    if (verdict.break) {
      this.status = 'broken';
      this.broken = new LedgerBroken(verdict.break);
      this.gauge.set(0);
      this.logger.error(`LEDGER INTEGRITY BROKEN: ${this.broken.message}. Writes are refused; reads go on. See docs/operations.md.`);
      return;
    }
    this.status = 'intact';
    this.gauge.set(1);
    this.chain = new LedgerChain(verdict.head);
    this.known = { state: { last: verdict.checkpoints.latest }, revision: verdict.checkpointRevision };
    this.unsigned = verdict.eventsAfterLatestCheckpoint;
    this.oldestUnsignedAt = Date.now();
    const { latest } = verdict.checkpoints;
    this.logger.log(
      `ledger verified: ${verdict.head.events} events in ${verdict.streams} streams intact; ` +
        (latest ? `latest checkpoint at position ${latest.position} (${latest.at})` : 'no checkpoint yet'),
    );
  }

  /** Follows the log and signs a checkpoint when one is due (or `force`d, at shutdown, if anything is unsigned). */
  tick(force = false): Promise<unknown> {
    this.working = this.working
      .then(() => this.follow(force))
      .catch((error: unknown) => {
        this.logger.error(`checkpoint failed: ${(error as Error).message}`);
      });
    return this.working;
  }

  private async follow(force: boolean): Promise<void> {
    if (this.status !== 'intact' || !this.settings.signing || !this.settings.everyEvents) return;
    for (;;) {
      const page = await this.store.readAll(this.chain.head.position, 2_000);
      if (!page.length) break;
      for (const event of page) {
        this.chain.add(event);
        if (event.streamId === CHECKPOINT_STREAM) continue; // a checkpoint needs no checkpoint of its own
        if (!this.unsigned) this.oldestUnsignedAt = Date.now();
        this.unsigned += 1;
      }
    }
    const due = this.unsigned >= this.settings.everyEvents || Date.now() - this.oldestUnsignedAt >= this.settings.everyMs;
    if (!this.unsigned || !(due || force)) return;
    const checkpoint = this.settings.signing.sign(this.chain.head, this.clock());
    const recorded = await this.write.recordCheckpoint(checkpoint, this.known);
    if (recorded) {
      this.known = { state: { last: checkpoint }, revision: recorded.revision };
      if (this.settings.witnessFile) appendFileSync(this.settings.witnessFile, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    }
    this.unsigned = 0;
  }

  /** Ends a verification still waiting to retry (the ledger is closing). */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  readiness(): { status: IntegrityStatus; checkpoint: { position: number; at: string } | null; break?: string } {
    const last = this.known.state.last;
    return {
      status: this.status,
      checkpoint: last ? { position: last.position, at: last.at } : null,
      ...(this.broken ? { break: this.broken.message } : {}),
    };
  }
}
