import type { LedgerLogger } from '../logger';

/** Who holds the duties' lease, as its backend knows it. */
export interface LeaseHolder {
  readonly holder: string;
  /** Until when the holder may act without renewing (an ISO instant), or null where the lease ends only with its holder. */
  readonly expiresAt: string | null;
}

/**
 * Where the lease is kept, in the store every process shares: a lock on one host (SQLite), a
 * stream every replica reads (EventStoreDB). Also where the holder keeps what its duties must
 * carry over to the next holder: the relay's position, so a failover resumes and never
 * republishes the log.
 */
export interface LeaseBackend {
  /** Takes the lease for `holder` (or renews it) if it is free, expired or already held by `holder`; who holds it after. */
  claim(holder: string, now: string, until: string): Promise<LeaseHolder>;
  /** Gives it up (at a clean shutdown), so another takes over at once. */
  release(holder: string): Promise<void>;
  /** The relay's position for its destination, as the last holder left it; null when no holder has published yet. */
  relayPosition(destination: string): Promise<number | null>;
  /** Saves the relay's position; never back, unless `rewind` (republishing from an earlier position). */
  saveRelayPosition(destination: string, position: number, rewind?: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface DutyLeaseOptions {
  readonly backend: LeaseBackend;
  /** This process, as the holder's name says (host, pid, a random part). */
  readonly holder: string;
  /** How long a claim lasts without renewal; a dead holder's duties are taken over within about this. */
  readonly leaseMs: number;
  readonly clock: () => string;
  readonly logger: LedgerLogger;
  /**
   * Whether this process may hold the duties now (false while its clock is off from the store's):
   * if not, it claims nothing, gives up what it holds, and acts on none of them meanwhile.
   */
  readonly mayHold?: () => boolean;
}

/**
 * The ledger's singleton duties (the Kafka relay, the deadline sweep, checkpoint signing,
 * retention) run in one process at a time: the one holding this lease. Every process that may
 * run them claims it every third of the lease's length; the holder renews it so; another takes
 * over once a claim of the holder's has expired (a killed holder: within a lease's length). A
 * holder that cannot renew in time stops acting before its claim runs out, measured by its own
 * clock, as a taker measures a claim's silence by its own (StreamLease): hosts' clocks are never
 * compared.
 */
export class DutyLease {
  private heldUntil = 0;
  private holder: LeaseHolder | null = null;
  private timer: NodeJS.Timeout | null = null;
  private claiming: Promise<void> | null = null;
  private readonly listeners = new Set<(held: boolean) => void>();
  private wasHeld = false;

  constructor(private readonly options: DutyLeaseOptions) {}

  /** Whether this process holds the lease now, with time to spare before its claim runs out. */
  get held(): boolean {
    return Date.now() < this.heldUntil && (this.options.mayHold?.() ?? true);
  }

  /** Who holds it, as last seen (readiness shows it). */
  get lastSeen(): LeaseHolder | null {
    return this.holder;
  }

  get name(): string {
    return this.options.holder;
  }

  /** Told when this process starts or stops holding the lease. */
  onChange(listener: (held: boolean) => void): void {
    this.listeners.add(listener);
  }

  /** Claims at once, then every third of the lease's length. */
  async start(): Promise<void> {
    await this.claim();
    this.timer = setInterval(() => void this.claim(), Math.max(250, this.options.leaseMs / 3));
    this.timer.unref();
  }

  /** Stops claiming and gives the lease up, so another process takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.claiming;
    if (this.wasHeld) await this.options.backend.release(this.options.holder).catch(() => undefined);
    this.heldUntil = 0;
    this.changed();
    await this.options.backend.close();
  }

  get backend(): LeaseBackend {
    return this.options.backend;
  }

  private claim(): Promise<void> {
    this.claiming ??= this.claimOnce().finally(() => (this.claiming = null));
    return this.claiming;
  }

  private async claimOnce(): Promise<void> {
    const { backend, holder, leaseMs, clock, mayHold } = this.options;
    if (mayHold && !mayHold()) {
      // a clock that is off takes no lease from a process whose clock is right, and keeps none: another takes over at once
      if (this.heldUntil) await backend.release(holder).catch(() => undefined);
      this.heldUntil = 0;
      this.changed();
      return;
    }
    const asked = Date.now();
    try {
      const now = clock();
      const seen = await backend.claim(holder, now, new Date(Date.parse(now) + leaseMs).toISOString());
      this.holder = seen;
      // acting stops a third of the lease before the claim runs out: time for a renewal to fail and be noticed
      this.heldUntil = seen.holder === holder ? asked + (leaseMs * 2) / 3 : 0;
    } catch (error) {
      this.options.logger.warn(`the duties' lease could not be claimed: ${(error as Error).message}`);
      // what was held stays held until its margin runs out, then the duties stop
    }
    this.changed();
  }

  private changed(): void {
    const held = this.held;
    if (held === this.wasHeld) return;
    this.wasHeld = held;
    this.options.logger.log(
      held
        ? `this process (${this.options.holder}) now runs the ledger's duties: relay, sweeps, checkpoints, retention`
        : `this process (${this.options.holder}) no longer runs the ledger's duties${this.holder && this.holder.holder !== this.options.holder ? `: ${this.holder.holder} does` : ''}`,
    );
    for (const listener of this.listeners) listener(held);
  }
}
