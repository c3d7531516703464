import type { EventStore, ExpectedRevision, RecordedEvent } from '@complaint-ledger/event-store';
import { isConflict, runDecision } from '../write/decision-loop';
import { randomUUID } from 'node:crypto';
import type { LeaseBackend, LeaseHolder } from './lease';

/** Outside the ledger's own prefixes (`complaint-`, `ledger-`): never in its log, its verification or its messages. */
const LEASE_STREAM = 'duties-lease';
const RELAY_STREAM = (destination: string) => `duties-relay-${destination}`;
/** Only the last few claims and positions are kept (EventStoreDB's $maxCount): the streams stay small. */
const KEPT = 10;

/** The claim a lease event stands for; none once given up (`LeaseReleased`). */
const standing = (event: RecordedEvent | undefined): Claim | null =>
  event && event.type !== 'LeaseReleased' ? (event.data as Claim) : null;

interface Claim {
  readonly holder: string;
  readonly expiresAt: string;
  /** The holder's own lease length: a taker whose lease is shorter waits for this one (a rolling change of the setting). */
  readonly leaseMs?: number;
}

/**
 * The lease where the processes share a store but not a host (EventStoreDB): claims decided and
 * appended through the decision loop at the revision last read, so of two claims made at once one
 * fails (wrong expected revision), reads again, and sees the other's. A claim stands until its `expiresAt`; a newer one, by the holder
 * or after expiry, replaces it. The relay's positions live in streams beside it.
 *
 * A claim's `expiresAt` is its holder's clock, which another host's need not match; so a taker does
 * not compare clocks: it takes over once it has seen the same claim stand, unrenewed, for a whole
 * lease by its own clock (the holder renews every third of a lease, and stops acting two thirds of
 * a lease after it last asked), the longer of its own lease and the holder's. Clocks that disagree
 * by minutes thus neither delay a failover nor let two act at once: a claim's `expiresAt` is never
 * compared with the claimant's clock (a replica whose clock ran ahead took a live holder's lease
 * so). A claim given up at a clean shutdown (`LeaseReleased`) is free at once.
 */
export class StreamLease implements LeaseBackend {
  private prepared = false;
  /** The claim last seen (by its revision) and when, by this process's clock alone. */
  private seen: { readonly revision: number; readonly at: number } | null = null;

  constructor(private readonly store: EventStore) {}

  /** Through the decision loop: the last claim folded, a claim decided if the lease is free, appended at the revision read. */
  async claim(holder: string, now: string, until: string): Promise<LeaseHolder> {
    await this.prepare();
    let current: Claim | null = null;
    return runDecision<Claim | null, Claim, LeaseHolder>(this.store, {
      stream: LEASE_STREAM,
      // a lease given up is nobody's
      fold: (recorded) => standing(recorded.at(-1)),
      decide: (state, revision) => {
        current = state;
        const leaseMs = Date.parse(until) - Date.parse(now);
        const free = !state || state.holder === holder || this.unrenewed(revision, Math.max(leaseMs, state.leaseMs ?? 0));
        return free ? [{ holder, expiresAt: until, leaseMs }] : [];
      },
      seal: (claims) => claims.map((claim) => this.event('LeaseClaimed', claim)),
      answer: ({ decided }) => {
        const holding = decided[0] ?? current;
        return holding ? { holder: holding.holder, expiresAt: holding.expiresAt } : { holder: 'nobody', expiresAt: null };
      },
      retryable: isConflict,
    });
  }

  /**
   * Who holds the lease, for a process that takes no part in it (`keys:rotate`): the last claim
   * watched for its lease's length, as a taker watches it, never its `expiresAt` compared with this
   * host's clock. Renewed meanwhile, its holder is there; not renewed, gone. Null when none is held:
   * no claim, one released, or one not renewed while watched.
   */
  async holderWatched(defaultLeaseMs: number, watching: (holder: string, leaseMs: number) => void): Promise<string | null> {
    const first = await this.store.readLastEvent(LEASE_STREAM);
    const claim = standing(first);
    if (!first || !claim) return null;
    const leaseMs = claim.leaseMs ?? defaultLeaseMs;
    watching(claim.holder, leaseMs);
    for (const until = performance.now() + leaseMs + 1_000; performance.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, leaseMs / 6)));
      const latest = await this.store.readLastEvent(LEASE_STREAM);
      if (latest && latest.revision !== first.revision) return standing(latest)?.holder ?? null;
    }
    return null;
  }

  /** Whether the claim at `revision` has stood unrenewed for `leaseMs` as this process has watched it. */
  private unrenewed(revision: number, leaseMs: number): boolean {
    const now = performance.now();
    if (this.seen?.revision !== revision) this.seen = { revision, at: now };
    return now - this.seen.at >= leaseMs;
  }

  async release(holder: string): Promise<void> {
    const last = (await this.store.readStream(LEASE_STREAM)).at(-1);
    if ((last?.data as Claim | undefined)?.holder !== holder) return;
    const released = { holder, expiresAt: new Date(0).toISOString() };
    await this.store.append(LEASE_STREAM, [this.event('LeaseReleased', released)], expectedOf(last?.revision)).catch(() => undefined);
  }

  async relayPosition(destination: string): Promise<number | null> {
    const last = (await this.store.readStream(RELAY_STREAM(destination))).at(-1);
    return last ? (last.data as { position: number }).position : null;
  }

  /**
   * Moves the relay's position forward only: a holder paused past its lease and resuming late
   * (its batch already published again by the next) must not carry the position back, which the
   * next failover would republish from. Appended at the revision read, read again on a conflict.
   * `rewind` (`npm run relay:republish`) moves it back on purpose.
   */
  async saveRelayPosition(destination: string, position: number, rewind = false): Promise<void> {
    const stream = RELAY_STREAM(destination);
    if (!this.kept.has(stream)) {
      await this.store.keepLast?.(stream, KEPT); // once a process: a metadata write per batch was one write too many
      this.kept.add(stream);
    }
    for (let attempt = 1; ; attempt++) {
      const last = (await this.store.readStream(stream)).at(-1);
      if (!rewind && last && (last.data as { position: number }).position >= position) return;
      try {
        await this.store.append(stream, [this.event('RelayPositionSaved', { position })], expectedOf(last?.revision));
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= 5) throw error;
      }
    }
  }

  /** The relay streams whose $maxCount this process has set. */
  private readonly kept = new Set<string>();

  async close(): Promise<void> {}

  private async prepare(): Promise<void> {
    if (this.prepared) return;
    await this.store.keepLast?.(LEASE_STREAM, KEPT);
    this.prepared = true;
  }

  private event(type: string, data: object) {
    const at = new Date().toISOString();
    return {
      eventId: randomUUID(),
      type,
      data,
      metadata: { occurredAt: at, actor: 'ledger:duties', correlationId: randomUUID(), schemaVersion: 1 },
    };
  }
}

const expectedOf = (revision: number | undefined): ExpectedRevision => (revision === undefined ? 'no_stream' : revision);
