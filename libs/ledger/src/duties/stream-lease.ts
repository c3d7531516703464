import type { EventStore, ExpectedRevision } from '@complaint-ledger/event-store';
import { isConflict, runDecision } from '../write/decision-loop';
import { randomUUID } from 'node:crypto';
import type { LeaseBackend, LeaseHolder } from './lease';

/** Outside the ledger's own prefixes (`complaint-`, `ledger-`): never in its log, its verification or its messages. */
const LEASE_STREAM = 'duties-lease';
const RELAY_STREAM = (destination: string) => `duties-relay-${destination}`;
/** Only the last few claims and positions are kept (EventStoreDB's $maxCount): the streams stay small. */
const KEPT = 10;

interface Claim {
  readonly holder: string;
  readonly expiresAt: string;
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
 * a lease after it last asked). Clocks that disagree by minutes thus neither delay a failover nor
 * let two act at once. A claim expired by the claimant's clock beyond the tolerated skew is free too.
 */
export class StreamLease implements LeaseBackend {
  private prepared = false;
  /** The claim last seen (by its revision) and when, by this process's clock alone. */
  private seen: { readonly revision: number; readonly at: number } | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly skewMs: number,
  ) {}

  /** Through the decision loop: the last claim folded, a claim decided if the lease is free, appended at the revision read. */
  async claim(holder: string, now: string, until: string): Promise<LeaseHolder> {
    await this.prepare();
    let current: Claim | null = null;
    return runDecision<Claim | null, Claim, LeaseHolder>(this.store, {
      stream: LEASE_STREAM,
      fold: (recorded) => (recorded.at(-1)?.data as Claim | undefined) ?? null,
      decide: (state, revision) => {
        current = state;
        const free = !state || state.holder === holder || this.unrenewed(revision, Date.parse(until) - Date.parse(now));
        return free || Date.parse(state.expiresAt) + this.skewMs < Date.parse(now) ? [{ holder, expiresAt: until }] : [];
      },
      seal: (claims) => claims.map((claim) => this.event('LeaseClaimed', claim)),
      answer: ({ decided }) => decided[0] ?? current ?? { holder: 'nobody', expiresAt: null },
      retryable: isConflict,
    });
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

  async saveRelayPosition(destination: string, position: number): Promise<void> {
    await this.store.keepLast?.(RELAY_STREAM(destination), KEPT);
    await this.store.append(RELAY_STREAM(destination), [this.event('RelayPositionSaved', { position })], 'any');
  }

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
