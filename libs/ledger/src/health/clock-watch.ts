import { EventStoreDbEventStore, type EventStore } from '@complaint-ledger/event-store';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { LedgerLogger } from '../logger';
import { ClockOffset } from '../write/refusals';

/** Outside the ledger's own prefixes (`complaint-`, `ledger-`): never in its log, its verification or its messages. */
const PROBE_STREAM = 'clock-probes';
/** Only the last few probes are kept (EventStoreDB's $maxCount): the stream stays small. */
const KEPT = 10;
/** About this often (jittered, so replicas started together do not probe together). */
const PROBE_EVERY_MS = 30_000;

/** What readiness shows of this process's clock against the store's. */
export interface ClockCheck {
  /**
   * `within` or `beyond` LEDGER_MAX_CLOCK_OFFSET_MS at the last probe (`beyond`: writes refused);
   * `unmeasured` before a probe has succeeded; `off` when the setting is 0; `not applicable` with a
   * store on this host (SQLite, memory): one host, one clock, nothing to compare.
   */
  readonly status: 'within' | 'beyond' | 'unmeasured' | 'off' | 'not applicable';
  /** The store's clock minus this process's (ms): negative when this clock runs ahead. */
  readonly offsetMs?: number;
  /** How far the true offset may be from `offsetMs` (ms): half the probe's round trip, and half a second through the KurrentDB client (which reads the server's time in whole seconds). */
  readonly uncertaintyMs?: number;
  /** When the last successful probe was made, by this process's clock. */
  readonly lastProbe?: string;
  /** LEDGER_MAX_CLOCK_OFFSET_MS: beyond when the offset, less its uncertainty, is further from 0 than this. */
  readonly maxOffsetMs?: number;
}

interface Reading {
  readonly offsetMs: number;
  readonly uncertaintyMs: number;
  readonly at: string;
}

/**
 * Every event's record time (`recordedAt`, decision 0018's `knownAt`) is the writing process's own
 * clock. Replicas on several hosts share one EventStoreDB, whose server stamps each event it writes
 * with its own `created` time: a probe appends a small event between two readings of this
 * process's clock (t0, t1) and reads it back, so the store's clock minus ours is `created −
 * (t0 + t1) / 2`, give or take `(t1 − t0) / 2`. Beyond LEDGER_MAX_CLOCK_OFFSET_MS (the offset less
 * its uncertainty, so a slow round trip alone never refuses), the write path refuses everything,
 * the ledger's own duties pause and readiness says not ready, until a probe finds it back within
 * (decision 0029). Until the first probe succeeds nothing is refused: the store is then unreachable,
 * and writes fail anyway.
 */
export class ClockWatch {
  private last: Reading | null = null;
  private timer: NodeJS.Timeout | undefined;
  private prepared = false;
  private failing = false;
  private stopped = false;

  constructor(
    /** Null where there is nothing to compare with (a store on this host). */
    private readonly store: EventStoreDbEventStore | null,
    private readonly clock: Clock,
    /** 0: the check is off. */
    private readonly maxOffsetMs: number,
    private readonly logger: LedgerLogger,
  ) {}

  /** The watch the store calls for: only a store whose server keeps a clock of its own is compared with. */
  static for(store: EventStore, clock: Clock, maxOffsetMs: number, logger: LedgerLogger): ClockWatch {
    return new ClockWatch(store instanceof EventStoreDbEventStore ? store : null, clock, maxOffsetMs, logger);
  }

  /** Why writes are refused now, or null. */
  get refusal(): ClockOffset | null {
    const last = this.last;
    if (!this.measuring || !last || !beyond(last, this.maxOffsetMs)) return null;
    return new ClockOffset(last.offsetMs, last.uncertaintyMs, this.maxOffsetMs);
  }

  check(): ClockCheck {
    if (!this.store) return { status: 'not applicable' };
    if (!this.maxOffsetMs) return { status: 'off' };
    const last = this.last;
    if (!last) return { status: 'unmeasured', maxOffsetMs: this.maxOffsetMs };
    return {
      status: beyond(last, this.maxOffsetMs) ? 'beyond' : 'within',
      offsetMs: last.offsetMs,
      uncertaintyMs: last.uncertaintyMs,
      lastProbe: last.at,
      maxOffsetMs: this.maxOffsetMs,
    };
  }

  /** The first probe (awaited, so a process whose clock is off writes nothing), then one about every 30 s. */
  async start(): Promise<void> {
    if (!this.measuring || this.timer || this.stopped) return;
    await this.probe();
    const next = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.probe().then(next), PROBE_EVERY_MS * (0.75 + Math.random() / 2));
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One measurement; a failure (the store unreachable) keeps the last one, and is logged once until a probe succeeds. */
  async probe(): Promise<void> {
    if (!this.measuring) return;
    try {
      const reading = await this.measure();
      this.failing = false;
      this.record(reading);
    } catch (error) {
      if (!this.failing) this.logger.warn(`clock: could not compare this process's clock with the store's: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  private get measuring(): boolean {
    return !!this.store && this.maxOffsetMs > 0;
  }

  private async measure(): Promise<Reading> {
    const store = this.store!;
    if (!this.prepared) {
      await store.keepLast?.(PROBE_STREAM, KEPT);
      this.prepared = true;
    }
    const eventId = randomUUID();
    const t0 = Date.parse(this.clock());
    await store.append(PROBE_STREAM, [probeEvent(eventId, new Date(t0).toISOString())], 'any');
    const t1 = Date.parse(this.clock());
    // other replicas probe the same stream: ours is found by its id among the few kept
    const stored = (await store.readStream(PROBE_STREAM)).find((event) => event.eventId === eventId);
    if (!stored?.storedAt) throw new Error(`the store did not give the time it wrote probe ${eventId}`);
    // the server's time comes through cut to the client's resolution (whole seconds through the KurrentDB
    // client): it lies within that after storedAt; a millisecond is our own clock's resolution too
    const resolution = store.storedAtResolutionMs;
    const half = resolution > 1 ? resolution / 2 : 0;
    return {
      offsetMs: Math.round(Date.parse(stored.storedAt) + half - (t0 + t1) / 2),
      uncertaintyMs: Math.ceil((t1 - t0) / 2 + half),
      at: new Date(t1).toISOString(),
    };
  }

  /** Keeps the reading, and says so in the log when it crosses the bound (either way) or is the first. */
  private record(reading: Reading): void {
    const was = this.last && beyond(this.last, this.maxOffsetMs);
    const now = beyond(reading, this.maxOffsetMs);
    this.last = reading;
    if (now && was !== true)
      this.logger.error(
        `clock: ${this.refusal!.message}. Commands are refused (503 CLOCK.OFFSET) and this process's own writes pause until its clock is set right.`,
      );
    else if (!now && was !== false)
      this.logger.log(
        `clock: within ${this.maxOffsetMs} ms of the event store's (offset ${reading.offsetMs} ms ± ${reading.uncertaintyMs} ms)${was ? '; writes resume' : ''}`,
      );
  }
}

/** Beyond the bound whatever the probe's uncertainty: the offset less its uncertainty exceeds it. */
const beyond = (reading: Reading, maxOffsetMs: number) => Math.abs(reading.offsetMs) - reading.uncertaintyMs > maxOffsetMs;

const probeEvent = (eventId: string, at: string) => ({
  eventId,
  type: 'ClockProbed',
  data: { at },
  metadata: { occurredAt: at, actor: 'ledger:clock-watch', correlationId: eventId, schemaVersion: 1 },
});
