import {
  assess,
  DECISIONS,
  endOfLondonDay,
  EXCLUSION_GROUNDS,
  isAfter,
  londonDateOf,
  REMEDY_TYPES,
  TENURES,
  type ComplaintState,
  type ComplianceRules,
  type Deadline,
  type DeadlineKind,
  type Decision,
} from '@complaint-ledger/domain';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
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
    readonly overdue: readonly { readonly complaintId: string; readonly remedyId: string; readonly dueBy: string }[];
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
  options: { readonly everyComplaint?: boolean } = {},
): AnnualReport {
  const period = reportingYear(year);
  const yearEnd = endOfLondonDay(period.to);
  const asOf = isAfter(now, yearEnd) ? yearEnd : now;
  const inYear = (instant: string | null | undefined) => {
    if (!instant) return false;
    const date = londonDateOf(instant);
    return date >= period.from && date <= period.to;
  };
  // one complaint in memory at a time: a landlord's whole history can be large, the report's tallies are not;
  // and none settled before the year began (settled_on, a day early for a UTC date): nothing of theirs is in it
  const docs = db
    .prepare(
      `SELECT doc FROM ${tableOf({ name: 'complaints' })}
       WHERE received_at <= @until AND (@everyComplaint OR settled_on IS NULL OR settled_on >= @settledFrom)
       ORDER BY received_at, key`,
    )
    .pluck()
    .iterate({
      until: asOf,
      everyComplaint: Number(options.everyComplaint ?? false),
      settledFrom: dayBefore(period.from),
    }) as IterableIterator<string>;

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

  for (const doc of docs) {
    const { state } = JSON.parse(doc) as { state: ComplaintState };
    const excluded = state.nonAcceptance !== undefined;
    if (inYear(state.receivedAt) && !excluded) {
      const monthIndex = monthOf(state.receivedAt, year);
      months[monthIndex]!.stage1 += 1;
      add(category, state.category);
      add(channel, state.channel);
      add(themes[Math.floor(monthIndex / 3)]!, state.category);
      add(tenure[1], state.tenure);
    }
    if (state.stage2 && !state.escalationRefusal && inYear(state.stage2.requestedAt)) {
      months[monthOf(state.stage2.requestedAt, year)]!.stage2 += 1;
      add(tenure[2], state.tenure);
    }
    if (state.stage1.response && inYear(state.stage1.response.at)) add(outcomes[1], state.stage1.response.decision);
    if (state.stage2?.response && inYear(state.stage2.response.at)) add(outcomes[2], state.stage2.response.decision);
    for (const [stage, record] of [
      [1, state.stage1],
      [2, state.stage2],
    ] as const) {
      for (const extension of record?.extensions ?? []) {
        if (!inYear(extension.notifiedAt)) continue;
        extensions[stage] += 1;
        add(extensionReasons, extension.reason.trim());
      }
    }
    if (state.nonAcceptance && inYear(state.nonAcceptance.decidedAt)) add(notAccepted, state.nonAcceptance.ground);
    if (state.escalationRefusal && inYear(state.escalationRefusal.decidedAt)) add(refused, state.escalationRefusal.ground);
    for (const remedy of state.remedies) {
      if (inYear(remedy.offeredAt)) {
        add(remedyCounts, remedy.type);
        add(remedyPence, remedy.type, remedy.amountPence ?? 0);
        if (remedy.completedAt && !isAfter(remedy.completedAt, asOf)) completed += 1;
      }
      const late = remedy.dueBy && remedy.dueBy < londonDateOf(asOf) && (!remedy.completedAt || isAfter(remedy.completedAt, asOf));
      if (late && remedy.dueBy! >= period.from)
        overdue.push({ complaintId: state.complaintId, remedyId: remedy.remedyId, dueBy: remedy.dueBy! });
    }
    const assessment = assess(state, asOf, rules);
    for (const finding of assessment.findings) {
      if (inYear(finding.at)) add(findings, `${finding.provision}|${finding.rule}`);
    }
    for (const deadline of assessment.deadlines) {
      countTimeliness(timeliness, deadline, state, rules, inYear);
      if (deadline.status === 'pending' || !inYear(deadline.metAt ?? deadline.dueAt)) continue;
      const row = compliance.get(deadline.kind) ?? { provision: deadline.provision, met: 0, total: 0 };
      const met = deadline.kind === 'remedy' ? deadline.status === 'met' : deadline.withinCodeTimescale === true;
      compliance.set(deadline.kind, { provision: row.provision, met: row.met + Number(met), total: row.total + 1 });
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

/** Working days to acknowledge and to respond, per stage, from the stage's start (receipt or escalation request). */
const TIMELINESS = [
  { key: 'acknowledgement', stage: 1, what: 'acknowledge', timescale: 5 },
  { key: 'stage1Response', stage: 1, what: 'respond', timescale: 15 },
  { key: 'stage2Acknowledgement', stage: 2, what: 'acknowledge', timescale: 5 },
  { key: 'stage2Response', stage: 2, what: 'respond', timescale: 25 },
] as const;

/** Buckets around a timescale T: within half of it, within it, within twice it, beyond. */
export function bucketsFor(timescale: number): { label: string; upTo: number }[] {
  const half = Math.floor(timescale / 2);
  return [
    { label: `0–${half}`, upTo: half },
    { label: `${half + 1}–${timescale}`, upTo: timescale },
    { label: `${timescale + 1}–${timescale * 2}`, upTo: timescale * 2 },
    { label: `over ${timescale * 2}`, upTo: Infinity },
  ];
}

function countTimeliness(
  into: Map<string, Map<string, number>>,
  deadline: Deadline,
  state: ComplaintState,
  rules: ComplianceRules,
  inYear: (instant: string | null | undefined) => boolean,
): void {
  const spec = TIMELINESS.find((t) => t.key === deadline.kind);
  if (!spec || !deadline.metAt || !inYear(deadline.metAt)) return;
  const start = spec.stage === 1 ? state.receivedAt : state.stage2?.requestedAt;
  if (!start) return;
  const days = rules.calendar.workingDaysBetween(londonDateOf(start), londonDateOf(deadline.metAt));
  const bucket = bucketsFor(spec.timescale).find(({ upTo }) => days <= upTo)!;
  if (!into.has(spec.key)) into.set(spec.key, counter());
  add(into.get(spec.key)!, bucket.label);
}

function monthOf(instant: string, year: number): number {
  const [y, m] = londonDateOf(instant).split('-').map(Number) as [number, number];
  return (y - year) * 12 + m - 4;
}

const counter = () => new Map<string, number>();
const add = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);
const tally = (map: Map<string, number>, label: Decision | string): Tally => ({ label, count: map.get(label) ?? 0 });
const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
const sorted = (map: Map<string, number>): Tally[] =>
  [...map].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
const compareProvisions = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The calendar day before a `YYYY-MM-DD` date. */
const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
