import { Inject, Injectable } from '@nestjs/common';
import type { ComplianceRules } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import type { LedgerConfig } from '@complaint-ledger/ledger';
import { pointInTimeReadModel, type PointInTime, type ReadModelDatabase, type ReadSide } from '@complaint-ledger/projections';
import { isPointInTime } from '../http/point-in-time';
import { COMPLIANCE_RULES, EVENT_STORE, LEDGER_CONFIG, READ_SIDE } from './tokens';

/**
 * The read models a query runs on: the live ones for "now", or, when `asOf` or `knownAt` is asked
 * for, the complaints read model built from the log for that point in time and dropped after.
 * Queries are written once and run on either.
 */
@Injectable()
export class ReadModels {
  constructor(
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMPLIANCE_RULES) private readonly rules: ComplianceRules,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** `query` run at `at`, with what to tell the client about where its answer stands. */
  async query<T>(at: PointInTime, query: (db: ReadModelDatabase) => T): Promise<T & { asOfPosition?: number } & PointInTime> {
    if (!isPointInTime(at)) return { ...query(this.readSide.db), asOfPosition: this.readSide.runner.position };
    const db = await pointInTimeReadModel(this.store, this.rules, this.config.alertSettings, at);
    try {
      return { ...query(db), ...at };
    } finally {
      db.close();
    }
  }
}
