import { complaintAsOf, londonDateOf, type ComplaintState, type ComplianceRules } from '@complaint-ledger/domain';
import {
  annualReport,
  decodeCursor,
  firstReportingYear,
  lastReportingYear,
  listAlerts,
  withWorkingDaysLate,
  listComplaints,
  reportRowsAt,
  AnnualReportTally,
  reportingYearOf,
  tsmReport,
  type AlertFilter,
  type ComplaintFilter,
  type PointInTime,
  type HomesByYear,
  type ReadModelDatabase,
} from '@complaint-ledger/projections';
import type { Clock } from '../clock';
import { InvalidCursor } from './errors';
import type { AnnualReportBody, BreachesPage, ComplaintListPage, TsmStatistics } from './results';
import type { ComplaintReads } from './complaint-reads';

/** Complaints judged per page of the annual report at a point in time. */
const REPORT_PAGE = 500;

/** A page asked for: after the cursor a previous page gave, at most `limit` items. */
export interface PageRequest {
  readonly cursor?: string;
  readonly limit: number;
}

/** The read models a query reads, and how far into the log they have got. */
export interface ReadModels {
  readonly db: ReadModelDatabase;
  readonly rules: ComplianceRules;
  position(): number;
}

/**
 * The queries answered from the read models: the complaints list, breaches, TSM, the annual report,
 * the reporting years. Now from the live read models, which say how far into the log they have got
 * (`asOfPosition`); at a point in time (asOf, knownAt) as the ledger stood or knew it then. Run on
 * the thread that asks (ReadModelQueries), or on a thread of their own (QueryThread).
 */
export interface ReadModelAnswers {
  list(filter: ComplaintFilter, page: PageRequest, at: PointInTime): Promise<ComplaintListPage>;
  breaches(filter: Omit<AlertFilter, keyof PointInTime>, page: PageRequest, at: PointInTime): Promise<BreachesPage>;
  tsm(year: number, at: PointInTime): Promise<TsmStatistics>;
  annualReport(year: number, at: PointInTime): Promise<AnnualReportBody>;
  reportingYears(): Promise<number[]>;
  latestReportingYearWithData(): Promise<number | null>;
}

/** The read-model queries, run on the thread that asks. */
export class ReadModelQueries implements ReadModelAnswers {
  constructor(
    private readonly readModels: ReadModels,
    private readonly complaints: ComplaintReads,
    private readonly settings: { readonly homes: HomesByYear },
    private readonly clock: Clock,
  ) {}

  private get db(): ReadModelDatabase {
    return this.readModels.db;
  }

  private get rules(): ComplianceRules {
    return this.readModels.rules;
  }

  /** The complaints list, newest first: now, or as it stood (asOf) or was known (knownAt), from the read model's history. */
  async list(filter: ComplaintFilter, page: PageRequest, at: PointInTime): Promise<ComplaintListPage> {
    return this.answer(at, listComplaints(this.db, filter, checked(page.cursor), page.limit, at));
  }

  /**
   * Breaches (or warnings) as recorded, by default the current truth (not retracted), each with
   * how late its deadline is (working days): a breach the sweep recorded before the late fact
   * arrived shows when the deadline was met once it has been (`metAt`), so the list agrees with the
   * complaint's own view (libs/projections/src/alerts/breach-lateness.ts).
   */
  async breaches(filter: Omit<AlertFilter, keyof PointInTime>, page: PageRequest, at: PointInTime): Promise<BreachesPage> {
    const found = listAlerts(this.db, { ...filter, ...at }, checked(page.cursor), page.limit);
    return { ...withWorkingDaysLate(this.readModels, found, at, this.clock()), asOfPosition: this.readModels.position(), ...at };
  }

  async tsm(year: number, at: PointInTime): Promise<TsmStatistics> {
    return this.answer(at, tsmReport(this.db, year, this.settings.homes, at));
  }

  /**
   * The annual report, judged at the year's end, or at the point in time asked for if earlier (the
   * report as it stood then). At a point in time, each complaint the read model's history knew
   * then, as its document says, or, for one recorded since `knownAt`, as its stream folded to that
   * instant says; cut at `asOf`. A page of complaints at a time, so memory stays bounded.
   */
  async annualReport(year: number, at: PointInTime): Promise<AnnualReportBody> {
    const judgedAt = at.asOf ?? at.knownAt ?? this.clock();
    const { db } = this;
    if (at.asOf === undefined && at.knownAt === undefined)
      return this.answer(at, annualReport(db, year, this.rules, this.settings.homes, judgedAt));
    const tally = new AnnualReportTally(year, this.rules, judgedAt);
    for (let after: [string, string] | null = null; ;) {
      const rows = reportRowsAt(db, year, tally.asOf, at, after, REPORT_PAGE);
      for (const row of rows) {
        const known = row.changedSince
          ? await this.complaints.stateKnownAt(row.key, at.knownAt!)
          : (JSON.parse(row.doc) as { state: ComplaintState }).state;
        const state = known && at.asOf ? complaintAsOf(known, at.asOf) : known;
        if (state) tally.add(row.key, state);
      }
      if (rows.length < REPORT_PAGE) break;
      after = [rows.at(-1)!.receivedAt, rows.at(-1)!.key];
    }
    return this.answer(at, tally.result(tsmReport(db, year, this.settings.homes, at)));
  }

  /** The reporting years from the first complaint's to the one running now, the newest last. */
  async reportingYears(): Promise<number[]> {
    const current = reportingYearOf(londonDateOf(this.clock()));
    const first = Math.min(firstReportingYear(this.db) ?? current, current);
    return Array.from({ length: current - first + 1 }, (_, i) => first + i);
  }

  /**
   * The reporting year of the latest complaint received (null with none), among reportingYears():
   * where views of a year open, rather than on a year just begun with nothing in it.
   */
  async latestReportingYearWithData(): Promise<number | null> {
    const last = lastReportingYear(this.db);
    return last === null ? null : Math.min(last, reportingYearOf(londonDateOf(this.clock())));
  }

  /** The answer with where it stands: how far into the log the read models had got, or the point in time asked for. */
  private answer<T extends object>(at: PointInTime, found: T): T & PointInTime & { asOfPosition?: number } {
    return at.asOf === undefined && at.knownAt === undefined ? { ...found, asOfPosition: this.readModels.position() } : { ...found, ...at };
  }
}

function checked(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !decodeCursor(cursor)) throw new InvalidCursor();
  return cursor;
}
