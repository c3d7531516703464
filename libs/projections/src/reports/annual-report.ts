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
import { reportingYear, tsmReport, type HomesByYear, type TsmReport } from '../statistics/tsm';

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

export function annualReport(
  db: ReadModelDatabase,
  year: number,
  rules: ComplianceRules,
  homes: HomesByYear,
  now: string,
  /** everyComplaint: judge every complaint received by then, skipping none (the reference the tests hold the report to). */
  options: { readonly everyComplaint?: boolean } = {},
): AnnualReport {
  const period = reportingYear(year);
  const [yearStart, yearEnd] = [startOfLondonDay(period.from), endOfLondonDay(period.to)];
  const asOf = isAfter(now, yearEnd) ? yearEnd : now;
  // the year's London days as instants: two comparisons per entry, no time zone arithmetic
  const inYear = (instant: string | null | undefined) => !!instant && !isAfter(yearStart, instant) && !isAfter(instant, yearEnd);
  // one complaint in memory at a time: a landlord's whole history can be large, the report's tallies are not;
  // and none whose last dated fact or due date is before the year began (a day early for a UTC date): nothing of
  // theirs is in it, and the index on (received_at, key, last_dated_on) passes over them without reading their rows
  const rows = db
    .prepare(
      `SELECT key, doc FROM ${tableOf({ name: 'complaints' })}
       WHERE received_at <= @until AND (@everyComplaint OR last_dated_on >= @datedFrom)
       ORDER BY received_at, key`,
    )
    .iterate({
      until: asOf,
      everyComplaint: Number(options.everyComplaint ?? false),
      datedFrom: addCalendarDays(period.from, -1),
    }) as IterableIterator<{ key: string; doc: string }>;

  const months = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(year, 3 + i, 1));
    return { month: d.toISOString().slice(0, 7), stage1: 0, stage2: 0 };
  });
  const category = counter();
  const channel = counter();
  const tenure = { 1: counter(), 2: counter() };
  const outcomes = { 1: counter(), 2: counter() };
  const extensionReasons = counter();
  const extensions = { 1: 0, 2: 0 };
  const notAccepted = counter();
  const refused = counter();
  const remedyCounts = counter();
  const remedyPence = counter();
  const findings = counter(); // by `provision|rule`
  const themes = QUARTERS.map(() => counter());
  const timeliness = new Map<string, Map<string, number>>();
  const compliance = new Map<DeadlineKind, { provision: string; met: number; total: number }>();
  let completed = 0;
  const overdue: AnnualReport['remedies']['overdue'][number][] = [];

  for (const row of rows) {
    for (const entry of reportEntriesOf((JSON.parse(row.doc) as { state: ComplaintState }).state, asOf, rules)) {
      switch (entry[0]) {
        case 'received': {
          const [, receivedAt, itsCategory, itsChannel, itsTenure] = entry;
          if (!inYear(receivedAt)) break;
          const monthIndex = monthOf(receivedAt, year);
          months[monthIndex]!.stage1 += 1;
          add(category, itsCategory);
          add(channel, itsChannel);
          add(themes[Math.floor(monthIndex / 3)]!, itsCategory);
          add(tenure[1], itsTenure);
          break;
        }
        case 'escalated':
          if (!inYear(entry[1])) break;
          months[monthOf(entry[1], year)]!.stage2 += 1;
          add(tenure[2], entry[2]);
          break;
        case 'outcome':
          if (inYear(entry[2])) add(outcomes[entry[1]], entry[3]);
          break;
        case 'extension':
          if (!inYear(entry[2])) break;
          extensions[entry[1]] += 1;
          add(extensionReasons, entry[3]);
          break;
        case 'notAccepted':
          if (inYear(entry[1])) add(notAccepted, entry[2]);
          break;
        case 'escalationRefused':
          if (inYear(entry[1])) add(refused, entry[2]);
          break;
        case 'remedy':
          if (!inYear(entry[1])) break;
          add(remedyCounts, entry[2]);
          add(remedyPence, entry[2], entry[3]);
          completed += Number(entry[4]);
          break;
        case 'overdue':
          if (entry[1] >= period.from)
            overdue.push({
              complaintId: row.key,
              remedyId: entry[2],
              dueBy: entry[1],
              type: entry[3],
              amountPence: entry[4],
              receivedAt: entry[5],
            });
          break;
        case 'finding':
          if (inYear(entry[1])) add(findings, `${entry[2]}|${entry[3]}`);
          break;
        case 'timeliness':
          if (!inYear(entry[2])) break;
          if (!timeliness.has(entry[1])) timeliness.set(entry[1], counter());
          add(timeliness.get(entry[1])!, entry[3]);
          break;
        case 'compliance': {
          const [, kind, provision, at, met] = entry;
          if (!inYear(at)) break;
          const counted = compliance.get(kind) ?? { provision, met: 0, total: 0 };
          compliance.set(kind, { provision: counted.provision, met: counted.met + Number(met), total: counted.total + 1 });
          break;
        }
      }
    }
  }

  return {
    ...period,
    year,
    asOf,
    volumes: {
      stage1: months.reduce((total, m) => total + m.stage1, 0),
      stage2: months.reduce((total, m) => total + m.stage2, 0),
      byMonth: months,
      byCategory: sorted(category),
      byChannel: sorted(channel),
      byTenure: TENURES.map((label) => ({ label, stage1: tenure[1].get(label) ?? 0, stage2: tenure[2].get(label) ?? 0 })),
    },
    outcomes: { stage1: DECISIONS.map((d) => tally(outcomes[1], d)), stage2: DECISIONS.map((d) => tally(outcomes[2], d)) },
    tsm: tsmReport(db, year, homes),
    timeliness: TIMELINESS.map(({ key, stage, what, timescale }) => {
      const counts = timeliness.get(key) ?? counter();
      const buckets = bucketsFor(timescale).map(({ label }) => tally(counts, label));
      return { stage, what, timescale, buckets, total: buckets.reduce((sum, b) => sum + b.count, 0) };
    }),
    extensions: { stage1: extensions[1], stage2: extensions[2], reasons: sorted(extensionReasons) },
    notAccepted: { total: sum(notAccepted), byGround: EXCLUSION_GROUNDS.map((g) => tally(notAccepted, g)) },
    escalationsRefused: { total: sum(refused), byGround: EXCLUSION_GROUNDS.map((g) => tally(refused, g)) },
    remedies: {
      offered: sum(remedyCounts),
      byType: REMEDY_TYPES.map((type) => ({ ...tally(remedyCounts, type), amountPence: remedyPence.get(type) ?? 0 })),
      financialTotalPence: sum(remedyPence),
      completed,
      overdue,
    },
    findings: [...findings]
      .map(([key, count]) => ({ provision: key.split('|')[0]!, label: key.split('|')[1]!, count }))
      .sort((a, b) => b.count - a.count || compareProvisions(a.provision, b.provision)),
    themes: themes.map((counts, i) => ({ quarter: QUARTERS[i]!, top: sorted(counts).slice(0, 3) })),
    selfAssessment: (Object.keys(REQUIREMENTS) as DeadlineKind[])
      .filter((kind) => compliance.has(kind))
      .map((kind) => {
        const { provision, met, total } = compliance.get(kind)!;
        return { provision, requirement: REQUIREMENTS[kind], met, total, percent: total ? Math.round((met / total) * 1000) / 10 : null };
      }),
  };
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
