import {
  assess,
  isAfter,
  londonDateOf,
  type ComplaintState,
  type ComplianceRules,
  type DeadlineKind,
  type Instant,
  type LocalDate,
} from '@complaint-ledger/domain';

/**
 * What one complaint puts into an annual report (Code 8.1), each entry with the date that decides
 * the reporting year it falls in: its receipt, escalation, outcomes, extensions, exclusions,
 * remedies, findings, and each deadline's timeliness and compliance as judged at an instant. The
 * report adds up the entries of its year.
 */
export type ReportEntry =
  | readonly ['received', Instant, category: string, channel: string, tenure: string]
  | readonly ['escalated', Instant, tenure: string]
  | readonly ['outcome', 1 | 2, Instant, decision: string]
  | readonly ['extension', 1 | 2, Instant, reason: string]
  | readonly ['notAccepted', Instant, ground: string]
  | readonly ['escalationRefused', Instant, ground: string]
  | readonly ['remedy', offeredAt: Instant, type: string, amountPence: number, completed: boolean]
  | readonly ['overdue', dueBy: LocalDate, remedyId: string, type: string, amountPence: number | null, receivedAt: Instant]
  | readonly ['finding', Instant, provision: string, rule: string]
  | readonly ['timeliness', TimelinessKind, metAt: Instant, bucket: string]
  | readonly ['compliance', DeadlineKind, provision: string, Instant, met: boolean];

/** Working days to acknowledge and to respond, per stage, from the stage's start (receipt or escalation request). */
export const TIMELINESS = [
  { key: 'acknowledgement', stage: 1, what: 'acknowledge', timescale: 5 },
  { key: 'stage1Response', stage: 1, what: 'respond', timescale: 15 },
  { key: 'stage2Acknowledgement', stage: 2, what: 'acknowledge', timescale: 5 },
  { key: 'stage2Response', stage: 2, what: 'respond', timescale: 25 },
] as const;
export type TimelinessKind = (typeof TIMELINESS)[number]['key'];
const TIMELINESS_OF = new Map(TIMELINESS.map((spec) => [spec.key as DeadlineKind, { ...spec, buckets: bucketsFor(spec.timescale) }]));

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

/** The complaint's report entries with its deadlines and findings judged at `asOf`. */
export function reportEntriesOf(state: ComplaintState, asOf: Instant, rules: ComplianceRules): ReportEntry[] {
  const entries: ReportEntry[] = [];
  if (state.nonAcceptance === undefined) entries.push(['received', state.receivedAt, state.category, state.channel, state.tenure]);
  if (state.stage2 && !state.escalationRefusal) entries.push(['escalated', state.stage2.requestedAt, state.tenure]);
  if (state.stage1.response) entries.push(['outcome', 1, state.stage1.response.at, state.stage1.response.decision]);
  if (state.stage2?.response) entries.push(['outcome', 2, state.stage2.response.at, state.stage2.response.decision]);
  for (const [stage, record] of [
    [1, state.stage1],
    [2, state.stage2],
  ] as const) {
    for (const extension of record?.extensions ?? []) entries.push(['extension', stage, extension.notifiedAt, extension.reason.trim()]);
  }
  if (state.nonAcceptance) entries.push(['notAccepted', state.nonAcceptance.decidedAt, state.nonAcceptance.ground]);
  if (state.escalationRefusal) entries.push(['escalationRefused', state.escalationRefusal.decidedAt, state.escalationRefusal.ground]);
  for (const remedy of state.remedies) {
    const completed = !!remedy.completedAt && !isAfter(remedy.completedAt, asOf);
    entries.push(['remedy', remedy.offeredAt, remedy.type, remedy.amountPence ?? 0, completed]);
    if (remedy.dueBy && remedy.dueBy < londonDateOf(asOf) && !completed)
      entries.push(['overdue', remedy.dueBy, remedy.remedyId, remedy.type, remedy.amountPence ?? null, state.receivedAt]);
  }
  const assessment = assess(state, asOf, rules);
  for (const finding of assessment.findings) entries.push(['finding', finding.at, finding.provision, finding.rule]);
  for (const deadline of assessment.deadlines) {
    const spec = TIMELINESS_OF.get(deadline.kind);
    const start = spec?.stage === 1 ? state.receivedAt : state.stage2?.requestedAt;
    if (spec && deadline.metAt && start) {
      const days = rules.calendar.workingDaysBetween(londonDateOf(start), londonDateOf(deadline.metAt));
      entries.push(['timeliness', spec.key, deadline.metAt, spec.buckets.find(({ upTo }) => days <= upTo)!.label]);
    }
    const judgedOn = deadline.metAt ?? deadline.dueAt;
    if (deadline.status === 'pending' || !judgedOn) continue;
    const met = deadline.kind === 'remedy' ? deadline.status === 'met' : deadline.withinCodeTimescale === true;
    entries.push(['compliance', deadline.kind, deadline.provision, judgedOn, met]);
  }
  return entries;
}
