import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { WorkingCalendar, type ComplianceRules } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { ReadSide } from '@complaint-ledger/projections';
import type { LedgerConfig } from '../config/ledger-config';
import type { EventRelay } from '@complaint-ledger/messaging';
import { READ_SIDE, RELAY, type Clock } from './tokens';

export function complianceRulesFrom(config: LedgerConfig): ComplianceRules {
  return { calendar: new WorkingCalendar({ closureDays: config.closureDays }), landlordTimescales: config.landlordTimescales };
}

/**
 * The read side over `store`. With `ownThread` (the API process, LEDGER_PROJECTIONS_THREAD) and the
 * SQLite log, the projections run on a thread of their own, told of each commit as it happens.
 */
export function createReadSide(
  config: LedgerConfig,
  store: EventStore,
  clock: Clock,
  { logger = new Logger('read-side'), ownThread = false }: { logger?: Logger; ownThread?: boolean } = {},
): ReadSide {
  const thread =
    ownThread && store instanceof SqliteEventStore
      ? { logPath: store.path, onCommit: (listener: () => void) => store.onCommit(listener) }
      : undefined;
  return new ReadSide({
    thread,
    store,
    path: config.projectionsPath,
    rules: complianceRulesFrom(config),
    alerts: { warningWorkingDays: config.LEDGER_WARNING_WORKING_DAYS },
    clock,
    sweepIntervalMs: config.LEDGER_BREACH_SWEEP_SECONDS * 1000,
    onSweep: (sweep) => {
      if (sweep.breaches || sweep.warnings) logger.log(`breach sweep: ${sweep.breaches} breaches, ${sweep.warnings} warnings recorded`);
    },
    onError: (error) => logger.error(`breach sweep failed: ${(error as Error).message}`),
  });
}

/**
 * Projections catch up before the app serves, then the Kafka relay (if any) starts; both stop
 * before the store closes.
 */
export class ReadSideLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(RELAY) private readonly relay: EventRelay | null,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.readSide.start();
    this.relay?.start();
  }
  async onModuleDestroy(): Promise<void> {
    await this.relay?.stop();
    await this.readSide.stop();
  }
}
