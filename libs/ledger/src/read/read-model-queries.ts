import { londonDateOf, type ComplianceRules } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import {
  annualReport,
  decodeCursor,
  firstReportingYear,
  listAlerts,
  withWorkingDaysLate,
  listComplaints,
  pointInTimeReadModel,
  reportingYearOf,
  tsmReport,
  type AlertFilter,
  type ComplaintFilter,
  type PointInTime,
  type ReadModelDatabase,
  type ReadSide,
} from '@complaint-ledger/projections';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { InvalidCursor } from './errors';
import type { AnnualReportBody, BreachesPage, ComplaintListPage, TsmStatistics } from './results';

/** A page asked for: after the cursor a previous page gave, at most `limit` items. */
export interface PageRequest {
  readonly cursor?: string;
  readonly limit: number;
}

/**
 * The queries answered from the read models: the complaints list, breaches, TSM, the annual
 * report. Now from the live read models, which say how far into the log they have got
 * (`asOfPosition`); at a point in time (asOf, knownAt) as the ledger stood or knew it then.
 */
export class ReadModelQueries {
  constructor(
    private readonly readSide: ReadSide,
    private readonly store: EventStore,
    private readonly rules: ComplianceRules,
    private readonly config: LedgerConfig,
    private readonly clock: Clock,
    /** Throws while the read models are known to disagree with the log (ReadModelWatch): they are not answered from meanwhile. */
    private readonly servable: () => void = () => undefined,
  ) {}

  list(filter: ComplaintFilter, page: PageRequest, at: PointInTime): Promise<ComplaintListPage> {
    const cursor = checked(page.cursor);
    return this.query(at, (db) => listComplaints(db, filter, cursor, page.limit));
  }

  /**
   * Breaches (or warnings) as recorded, by default the current truth (not retracted), each with
   * how late its deadline is (working days): a breach the sweep recorded before the late fact
   * arrived shows when the deadline was met once it has been (`metAt`), so the list agrees with the
   * complaint's own view (libs/projections/src/alerts/breach-lateness.ts).
   */
  breaches(filter: Omit<AlertFilter, keyof PointInTime>, page: PageRequest, at: PointInTime): BreachesPage {
    this.servable();
    const found = listAlerts(this.readSide.db, { ...filter, ...at }, checked(page.cursor), page.limit);
    return { ...withWorkingDaysLate(this.readSide, found, at, this.clock()), asOfPosition: this.readSide.runner.position, ...at };
  }

  tsm(year: number, at: PointInTime): Promise<TsmStatistics> {
    return this.query(at, (db) => tsmReport(db, year, this.config.homes));
  }

  /** Judged at the year's end, or at the point in time asked for if earlier (the report as it stood then). */
  annualReport(year: number, at: PointInTime): Promise<AnnualReportBody> {
    const judgedAt = at.asOf ?? at.knownAt ?? this.clock();
    return this.query(at, (db) => annualReport(db, year, this.rules, this.config.homes, judgedAt));
  }

  /** The reporting years from the first complaint's to the one running now, the newest last. */
  reportingYears(): number[] {
    const current = reportingYearOf(londonDateOf(this.clock()));
    const first = Math.min(firstReportingYear(this.readSide.db) ?? current, current);
    return Array.from({ length: current - first + 1 }, (_, i) => first + i);
  }

  /** `query` on the live read models, or on the complaints read model as it stood at `at`. */
  private async query<T>(at: PointInTime, query: (db: ReadModelDatabase) => T): Promise<T & PointInTime & { asOfPosition?: number }> {
    if (at.asOf === undefined && at.knownAt === undefined) {
      this.servable();
      return { ...query(this.readSide.db), asOfPosition: this.readSide.runner.position };
    }
    const db = await pointInTimeReadModel(this.store, this.rules, this.config.alertSettings, at);
    try {
      return { ...query(db), ...at };
    } finally {
      db.close();
    }
  }
}

function checked(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !decodeCursor(cursor)) throw new InvalidCursor();
  return cursor;
}
