import { SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import type { LedgerLogger } from '../logger';
import { DutyLease, type LeaseBackend, type LeaseHolder } from './lease';
import { LockLease } from './lock-lease';
import { StreamLease } from './stream-lease';

/**
 * The duties' lease from the store: a lock beside the SQLite log (every process on one host), a
 * stream in EventStoreDB (replicas on several), or, with a store only this process sees (memory),
 * always this process's.
 */
export function openDuties(
  config: LedgerConfig,
  store: EventStore,
  clock: Clock,
  logger: LedgerLogger,
  /** Whether this process may hold the duties now: not while its clock is off (ClockWatch). */
  mayHold: () => boolean = () => true,
): DutyLease {
  const backend: LeaseBackend =
    store instanceof SqliteEventStore && store.path !== ':memory:'
      ? new LockLease(join(dirname(store.path), 'duties.sqlite'))
      : store.keepLast
        ? new StreamLease(store)
        : new OwnLease();
  return new DutyLease({
    backend,
    holder: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    leaseMs: config.LEDGER_DUTIES_LEASE_SECONDS * 1000,
    clock,
    logger,
    mayHold,
  });
}

/** A store no other process sees: the duties are this process's, and the relay's position lives as long as it does. */
class OwnLease implements LeaseBackend {
  private readonly positions = new Map<string, number>();

  async claim(holder: string): Promise<LeaseHolder> {
    return { holder, expiresAt: null };
  }

  async release(): Promise<void> {}

  async relayPosition(destination: string): Promise<number | null> {
    return this.positions.get(destination) ?? null;
  }

  async saveRelayPosition(destination: string, position: number): Promise<void> {
    this.positions.set(destination, position);
  }

  async close(): Promise<void> {}
}
