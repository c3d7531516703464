import {
  addCalendarDays,
  DECISIONS,
  endOfLondonDay,
  EXCLUSION_GROUNDS,
  isAfter,
  londonDateOf,
  REMEDY_TYPES,
  startOfLondonDay,
  TENURES,
  type ComplaintState,
  type ComplianceRules,
  type DeadlineKind,
  type Decision,
} from '@complaint-ledger/domain';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import { bucketsFor, reportEntriesOf, TIMELINESS } from './report-entries';
import { oneDecimalOf, reportingYear, tsmReport, type HomesByYear, type TsmReport } from '../statistics/tsm';
import { complaintsAt } from '../complaints/complaint-at';
import type { PointInTime } from '../point-in-time';

/** A count under a label, the building block of every table and chart in the report. */
export interface Tally {
  readonly label: string;
  readonly count: number;
}

export interface Timeliness {
  readonly stage: 1 | 2;
  readonly what: 'acknowledge' | 'respond';
  /** The Code's timescale in working days: the buckets are drawn around it. */
  readonly timescale: number;
  readonly buckets: readonly Tally[];
  readonly total: number;
}

export interface ProvisionCompliance {
  readonly provision: string;
  readonly requirement: string;
  readonly met: number;
  readonly total: number;
  readonly percent: number | null;
}

/** A remedy not made by the date promised, with what a reader needs to recognise it without its ids. */
export interface OverdueRemedy {
  readonly complaintId: string;
  readonly remedyId: string;
  readonly dueBy: string;
  /** The kind of remedy (`financial`, `apology`, …) and, for money, how much. */
  readonly type: string;
  readonly amountPence: number | null;
  /** When the complaint it puts right was received. */
  readonly receivedAt: string;
}

/**
 * The annual complaints performance and service improvement report (Code 8.1) for one reporting
 * year, every figure computed from the complaints read model with the domain's own rules.
 */
export interface AnnualReport {
  readonly reportingYear: string;
  readonly year: number;
  readonly from: string;
  readonly to: string;
  /** The instant deadlines and findings were judged at: the year's end, or now if the year is running. */
  readonly asOf: string;
  readonly volumes: {
    readonly stage1: number;
    readonly stage2: number;
    readonly byMonth: readonly { readonly month: string; readonly stage1: number; readonly stage2: number }[];
    readonly byCategory: readonly Tally[];
    readonly byChannel: readonly Tally[];
    readonly byTenure: readonly { readonly label: string; readonly stage1: number; readonly stage2: number }[];
  };
  readonly outcomes: { readonly stage1: readonly Tally[]; readonly stage2: readonly Tally[] };
  readonly tsm: TsmReport;
  readonly timeliness: readonly Timeliness[];
  readonly extensions: { readonly stage1: number; readonly stage2: number; readonly reasons: readonly Tally[] };
  /** Code 8.1(b): complaints not accepted and escalations refused, by ground. */
  readonly notAccepted: { readonly total: number; readonly byGround: readonly Tally[] };
  readonly escalationsRefused: { readonly total: number; readonly byGround: readonly Tally[] };
  readonly remedies: {
    readonly offered: number;
    readonly byType: readonly (Tally & { readonly amountPence: number })[];
    readonly financialTotalPence: number;
    readonly completed: number;
    readonly overdue: readonly OverdueRemedy[];
  };
  readonly findings: readonly (Tally & { readonly provision: string })[];
  /** Recurring themes: the most frequent categories of stage 1 complaints, quarter by quarter. */
  readonly themes: readonly { readonly quarter: string; readonly top: readonly Tally[] }[];
  /** Section 6 of the Code in practice: each timescale provision, how often it was met. */
  readonly selfAssessment: readonly ProvisionCompliance[];
}

const REQUIREMENTS: Record<DeadlineKind, string> = {
  acknowledgement: 'Stage 1 complaints acknowledged within 5 working days',
  stage1Response: 'Stage 1 responses within 10 working days of acknowledgement (or a valid extension)',
  stage2Acknowledgement: 'Stage 2 escalations acknowledged within 5 working days',
  stage2Response: 'Stage 2 responses within 20 working days of acknowledgement (or a valid extension)',
  remedy: 'Remedies completed by the date promised',
};

const QUARTERS = ['Q1 Apr–Jun', 'Q2 Jul–Sep', 'Q3 Oct–Dec', 'Q4 Jan–Mar'];

/**
 * The annual report's tallies, one complaint at a time (a landlord's whole history can be large, the
 * report's tallies are not): `add` each complaint's state as judged, then `result`.
 */
export class AnnualReportTally {
  private readonly period;
  private readonly yearStart: string;
  private readonly yearEnd: string;
  /** The instant deadlines and findings are judged at: the year's end, or `now` if earlier. */
  readonly asOf: string;
  private readonly months: { month: string; stage1: number; stage2: number }[];
  private readonly category = counter();
  private readonly channel = counter();
  private readonly tenure = { 1: counter(), 2: counter() };
  private readonly outcomes = { 1: counter(), 2: counter() };
  private readonly extensionReasons = counter();
  private readonly extensions = { 1: 0, 2: 0 };
  private readonly notAccepted = counter();
  private readonly refused = counter();
  private readonly remedyCounts = counter();
  private readonly remedyPence = counter();
  private readonly findings = counter(); // by `provision|rule`
  private readonly themes = QUARTERS.map(() => counter());
  private readonly timeliness = new Map<string, Map<string, number>>();
  private readonly compliance = new Map<DeadlineKind, { provision: string; met: number; total: number }>();
  private completed = 0;
  private readonly overdue: AnnualReport['remedies']['overdue'][number][] = [];

  constructor(
    private readonly year: number,
    private readonly rules: ComplianceRules,
    now: string,
  ) {
    this.period = reportingYear(year);
    this.months = Array.from({ length: 12 }, (_, i) => {
      const d = new Date(Date.UTC(year, 3 + i, 1));
      return { month: d.toISOString().slice(0, 7), stage1: 0, stage2: 0 };
    });
    [this.yearStart, this.yearEnd] = [startOfLondonDay(this.period.from), endOfLondonDay(this.period.to)];
    this.asOf = isAfter(now, this.yearEnd) ? this.yearEnd : now;
  }

  /** The year's London days as instants: two comparisons per entry, no time zone arithmetic. */
  private inYear(instant: string | null | undefined): boolean {
    return !!instant && !isAfter(this.yearStart, instant) && !isAfter(instant, this.yearEnd);
  }

  add(key: string, state: ComplaintState): void {
    for (const entry of reportEntriesOf(state, this.asOf, this.rules)) {
      switch (entry[0]) {
        case 'received': {
          const [, receivedAt, itsCategory, itsChannel, itsTenure] = entry;
          if (!this.inYear(receivedAt)) break;
          const monthIndex = monthOf(receivedAt, this.year);
          this.months[monthIndex]!.stage1 += 1;
          add(this.category, itsCategory);
          add(this.channel, itsChannel);
          add(this.themes[Math.floor(monthIndex / 3)]!, itsCategory);
          add(this.tenure[1], itsTenure);
          break;
        }
        case 'escalated':
          if (!this.inYear(entry[1])) break;
          this.months[monthOf(entry[1], this.year)]!.stage2 += 1;
          add(this.tenure[2], entry[2]);
          break;
        case 'outcome':
          if (this.inYear(entry[2])) add(this.outcomes[entry[1]], entry[3]);
          break;
        case 'extension':
          if (!this.inYear(entry[2])) break;
          this.extensions[entry[1]] += 1;
          add(this.extensionReasons, entry[3]);
          break;
        case 'notAccepted':
          if (this.inYear(entry[1])) add(this.notAccepted, entry[2]);
          break;
        case 'escalationRefused':
          if (this.inYear(entry[1])) add(this.refused, entry[2]);
          break;
        case 'remedy':
          if (!this.inYear(entry[1])) break;
          add(this.remedyCounts, entry[2]);
          add(this.remedyPence, entry[2], entry[3]);
          this.completed += Number(entry[4]);
          break;
        case 'overdue':
          if (entry[1] >= this.period.from)
            this.overdue.push({
              complaintId: key,
              remedyId: entry[2],
              dueBy: entry[1],
              type: entry[3],
              amountPence: entry[4],
              receivedAt: entry[5],
            });
          break;
        case 'finding':
          if (this.inYear(entry[1])) add(this.findings, `${entry[2]}|${entry[3]}`);
          break;
        case 'timeliness':
          if (!this.inYear(entry[2])) break;
          if (!this.timeliness.has(entry[1])) this.timeliness.set(entry[1], counter());
          add(this.timeliness.get(entry[1])!, entry[3]);
          break;
        case 'compliance': {
          const [, kind, provision, at, met] = entry;
          if (!this.inYear(at)) break;
          const counted = this.compliance.get(kind) ?? { provision, met: 0, total: 0 };
          this.compliance.set(kind, { provision: counted.provision, met: counted.met + Number(met), total: counted.total + 1 });
          break;
        }
      }
    }
  }

  result(tsm: TsmReport): AnnualReport {
    return {
      ...this.period,
      year: this.year,
      asOf: this.asOf,
      volumes: {
        stage1: this.months.reduce((total, m) => total + m.stage1, 0),
        stage2: this.months.reduce((total, m) => total + m.stage2, 0),
        byMonth: this.months,
        byCategory: sorted(this.category),
        byChannel: sorted(this.channel),
        byTenure: TENURES.map((label) => ({ label, stage1: this.tenure[1].get(label) ?? 0, stage2: this.tenure[2].get(label) ?? 0 })),
      },
      outcomes: { stage1: DECISIONS.map((d) => tally(this.outcomes[1], d)), stage2: DECISIONS.map((d) => tally(this.outcomes[2], d)) },
      tsm,
      timeliness: TIMELINESS.map(({ key, stage, what, timescale }) => {
        const counts = this.timeliness.get(key) ?? counter();
        const buckets = bucketsFor(timescale).map(({ label }) => tally(counts, label));
        return { stage, what, timescale, buckets, total: buckets.reduce((sum, b) => sum + b.count, 0) };
      }),
      extensions: { stage1: this.extensions[1], stage2: this.extensions[2], reasons: sorted(this.extensionReasons) },
      notAccepted: { total: sum(this.notAccepted), byGround: EXCLUSION_GROUNDS.map((g) => tally(this.notAccepted, g)) },
      escalationsRefused: { total: sum(this.refused), byGround: EXCLUSION_GROUNDS.map((g) => tally(this.refused, g)) },
      remedies: {
        offered: sum(this.remedyCounts),
        byType: REMEDY_TYPES.map((type) => ({ ...tally(this.remedyCounts, type), amountPence: this.remedyPence.get(type) ?? 0 })),
        financialTotalPence: sum(this.remedyPence),
        completed: this.completed,
        overdue: this.overdue,
      },
      findings: [...this.findings]
        .map(([key, count]) => ({ provision: key.split('|')[0]!, label: key.split('|')[1]!, count }))
        .sort((a, b) => b.count - a.count || compareProvisions(a.provision, b.provision)),
      themes: this.themes.map((counts, i) => ({ quarter: QUARTERS[i]!, top: sorted(counts).slice(0, 3) })),
      selfAssessment: (Object.keys(REQUIREMENTS) as DeadlineKind[])
        .filter((kind) => this.compliance.has(kind))
        .map((kind) => {
          const { provision, met, total } = this.compliance.get(kind)!;
          return { provision, requirement: REQUIREMENTS[kind], met, total, percent: total ? oneDecimalOf(met, total, 100) : null };
        }),
    };
  }
}

export function annualReport(
  db: ReadModelDatabase,
  year: number,
  rules: ComplianceRules,
  homes: HomesByYear,
  now: string,
  /** everyComplaint: judge every complaint received by then, skipping none (the reference the tests hold the report to). */
  options: { readonly everyComplaint?: boolean } = {},
): AnnualReport {
  const tally = new AnnualReportTally(year, rules, now);
  // none whose last dated fact or due date is before the year began (a day early for a UTC date): nothing of
  // theirs is in it, and the index on (received_at, key, last_dated_on) passes over them without reading their rows
  const rows = db
    .prepare(
      `SELECT key, doc FROM ${tableOf({ name: 'complaints' })}
       WHERE received_at <= @until AND (@everyComplaint OR last_dated_on >= @datedFrom)
       ORDER BY received_at, key`,
    )
    .iterate({
      until: tally.asOf,
      everyComplaint: Number(options.everyComplaint ?? false),
      datedFrom: addCalendarDays(reportingYear(year).from, -1),
    }) as IterableIterator<{ key: string; doc: string }>;
  for (const row of rows) tally.add(row.key, (JSON.parse(row.doc) as { state: ComplaintState }).state);
  return tally.result(tsmReport(db, year, homes));
}

/** A complaint the report at a point in time counts: its current document, and whether it changed after `knownAt`. */
export interface ReportRow {
  readonly key: string;
  readonly receivedAt: string;
  readonly doc: string;
  /** Recorded since `knownAt`: its state then is not the document's, and is folded from its stream cut there. */
  readonly changedSince: boolean;
}

/**
 * A page of the complaints the annual report for `year` counts at a point in time, in (received_at,
 * key) order after `after`: as the read model's history says they were known at `knownAt`, with
 * each one's current document. The caller judges each as it stood (libs/ledger's query layer).
 */
export function reportRowsAt(
  db: ReadModelDatabase,
  year: number,
  until: string,
  at: PointInTime,
  after: readonly [string, string] | null,
  limit: number,
): ReportRow[] {
  const rows = complaintsAt(at);
  const table = tableOf({ name: 'complaints' });
  const where = [
    'r.received_at <= @until',
    'r.last_dated_on >= @datedFrom',
    ...rows.where.map((clause) => clause.replace(/\b(known_from|known_to|received_at)\b/g, 'r.$1')),
    ...(after ? ['(r.received_at, r.key) > (@afterAt, @afterKey)'] : []),
  ];
  const selected = db
    .prepare(
      `SELECT r.key AS key, r.received_at AS receivedAt, c.doc AS doc, ${at.knownAt ? 'c.last_recorded_at > @knownAt' : '0'} AS changedSince
       FROM ${rows.from} r JOIN ${table} c ON c.key = r.key
       WHERE ${where.join(' AND ')} ORDER BY r.received_at, r.key LIMIT @limit`,
    )
    .all({
      ...rows.params,
      until,
      datedFrom: addCalendarDays(reportingYear(year).from, -1),
      limit,
      ...(after ? { afterAt: after[0], afterKey: after[1] } : {}),
    }) as (Omit<ReportRow, 'changedSince'> & { changedSince: number })[];
  return selected.map((row) => ({ ...row, changedSince: row.changedSince === 1 }));
}

function monthOf(instant: string, year: number): number {
  const date = londonDateOf(instant);
  return (Number(date.slice(0, 4)) - year) * 12 + Number(date.slice(5, 7)) - 4;
}

const counter = () => new Map<string, number>();
const add = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);
const tally = (map: Map<string, number>, label: Decision | string): Tally => ({ label, count: map.get(label) ?? 0 });
const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
const sorted = (map: Map<string, number>): Tally[] =>
  [...map].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
const compareProvisions = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
