import type { ComplianceRules } from '@complaint-ledger/domain';
import type { EventKeyRing, EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { ComplaintReads, type StreamCheck } from './complaint-reads';
import { ReadModelQueries } from './read-model-queries';

/**
 * The ledger's read side, beside its one write path: every question the apps ask, live or at a
 * point in time. A complaint's own view, history, export and chain come from its stream in the
 * log; lists, breaches, statistics and the report from the read models.
 */
export class LedgerQueries {
  readonly complaints: ComplaintReads;
  readonly readModels: ReadModelQueries;

  constructor(
    store: EventStore,
    readSide: ReadSide,
    rules: ComplianceRules,
    config: LedgerConfig,
    clock: Clock,
    eventKeys: EventKeyRing | null = null,
    check: StreamCheck | null = null,
    servable: () => void = () => undefined,
  ) {
    this.complaints = new ComplaintReads(store, rules, clock, eventKeys, check);
    this.readModels = new ReadModelQueries(readSide, store, rules, config, clock, servable);
  }
}
