import { endOfLondonDay, isAfter, latestOf, londonDateOf, type Instant, type LocalDate } from '../calendar/london-time';
import type { WorkingCalendar } from '../calendar/working-calendar';
import {
  stagePolicy,
  type CodePolicy,
  type CodeVersion,
  type ExtensionRule,
  type Stage,
  type StagePolicy,
  type Timescale,
} from '../policy/code-policy';
import type { ComplaintState, ExtensionRecord, StageRecord } from '../complaint/state';
import type { DeadlineKind } from '../complaint/vocabulary';
import { codePolicyForClockStartingAt, policyForClockStartingAt, type ComplianceRules } from './rules';

export type DeadlineStatus = 'pending' | 'met' | 'met_late' | 'breached';

/** How one extension was judged against the Code (decision 0005). */
export interface ExtensionAssessment {
  readonly extension: ExtensionRecord;
  readonly workingDays: number;
  readonly limit: number;
  readonly beyondLimit: boolean;
  readonly notifiedLate: boolean;
  readonly ombudsmanDetailsMissing: boolean;
  readonly rule: ExtensionRule;
}

export interface Deadline {
  readonly kind: DeadlineKind;
  readonly stage: Stage;
  /** When the clock started; null while it waits (for a representative's consent, decision 0006). */
  readonly startsAt: Instant | null;
  /** End of the last working day allowed, London time (decision 0002), after extensions (decision 0005). */
  readonly dueAt: Instant | null;
  readonly metAt: Instant | null;
  readonly status: DeadlineStatus;
  /** Working days after the due day, up to the moment it was met (or is assessed, or the complaint ended). */
  readonly workingDaysLate: number;
  readonly provision: string;
  readonly codeVersion: CodeVersion;
  /** Last instant still within the Code's timescales: the base deadline plus valid extensions (CH02; decisions 0005, 0007). */
  readonly codeTimescaleDueAt: Instant | null;
  /** Whether it was met within the Code's timescales; null while pending. */
  readonly withinCodeTimescale: boolean | null;
  readonly waitingFor?: 'representative_consent';
  readonly remedyId?: string;
  readonly extensions?: readonly ExtensionAssessment[];
  /** The complaint ended before it fell due, so it no longer applies; kept only so its extensions are still judged (Code 6.5). */
  readonly lapsed?: true;
}

/** Every deadline the complaint has had, as it stands at `asOf`. */
export function evaluateDeadlines(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  options: { includeLapsed?: boolean } = {},
): Deadline[] {
  const deadlines = [
    ...stage1Deadlines(state, asOf, rules),
    ...stage2Deadlines(state, asOf, rules),
    ...remedyDeadlines(state, asOf, rules),
  ];
  return deadlines.filter((deadline): deadline is Deadline => deadline !== null && (options.includeLapsed || !deadline.lapsed));
}

function stage1Deadlines(state: ComplaintState, asOf: Instant, rules: ComplianceRules): (Deadline | null)[] {
  const policy = policyForClockStartingAt(state.receivedAt, rules);
  const record = state.stage1;
  const { acknowledgement, response } = clocks(policy, 1, record, state.receivedAt, rules.calendar);
  // Decision 0006: with a representative, the response clock waits for the resident's consent.
  const waitingForConsent = (startsAt: Instant): Instant | null => {
    if (!state.representative) return startsAt;
    const consent = state.representative.consentReceivedAt;
    return consent === undefined ? null : latestOf(startsAt, consent);
  };
  const responseStart = waitingForConsent(response.startsAt);
  const code = codeClocks(state.receivedAt, 1, record, state.receivedAt, rules);
  const end = clocksEndedAt(state, 1);
  return [
    acknowledgement &&
      judge({
        kind: 'acknowledgement',
        stage: 1,
        timescale: acknowledgement.timescale,
        policy,
        startsAt: state.receivedAt,
        metAt: acknowledgement.metAt,
        asOf,
        end,
        rules,
        ...(code?.acknowledgement ? { code: { timescale: code.acknowledgement.timescale, startsAt: state.receivedAt } } : {}),
      }),
    judge({
      kind: 'stage1Response',
      stage: 1,
      timescale: response.timescale,
      policy,
      startsAt: responseStart,
      metAt: record.response?.at ?? null,
      asOf,
      end,
      rules,
      extensions: { records: record.extensions, rule: policy.stage1.extension },
      ...(code ? { code: { ...code.response, startsAt: waitingForConsent(code.response.startsAt) } } : {}),
    }),
  ];
}

function stage2Deadlines(state: ComplaintState, asOf: Instant, rules: ComplianceRules): (Deadline | null)[] {
  const record = state.stage2;
  if (!record) return [];
  const policy = policyForClockStartingAt(record.requestedAt, rules);
  const { acknowledgement, response } = clocks(policy, 2, record, record.requestedAt, rules.calendar);
  const code = codeClocks(record.requestedAt, 2, record, record.requestedAt, rules);
  const end = clocksEndedAt(state, 2);
  return [
    acknowledgement &&
      judge({
        kind: 'stage2Acknowledgement',
        stage: 2,
        timescale: acknowledgement.timescale,
        policy,
        startsAt: record.requestedAt,
        metAt: acknowledgement.metAt,
        asOf,
        end,
        rules,
        ...(code?.acknowledgement ? { code: { timescale: code.acknowledgement.timescale, startsAt: record.requestedAt } } : {}),
      }),
    judge({
      kind: 'stage2Response',
      stage: 2,
      timescale: response.timescale,
      policy,
      startsAt: response.startsAt,
      metAt: record.response?.at ?? null,
      asOf,
      end,
      rules,
      extensions: { records: record.extensions, rule: policy.stage2.extension },
      ...(code ? { code: code.response } : {}),
    }),
  ];
}

function remedyDeadlines(state: ComplaintState, asOf: Instant, rules: ComplianceRules): Deadline[] {
  return state.remedies.flatMap((remedy) => {
    if (!remedy.dueBy) return [];
    const policy = policyForClockStartingAt(remedy.offeredAt, rules);
    const dueAt = endOfLondonDay(remedy.dueBy);
    const metAt = remedy.completedAt ?? null;
    const base = status(dueAt, metAt, asOf, null, rules.calendar);
    return [
      {
        kind: 'remedy' as const,
        stage: remedy.stage,
        startsAt: remedy.offeredAt,
        dueAt,
        metAt: base.metAt,
        status: base.status,
        workingDaysLate: base.workingDaysLate,
        provision: policy.remedyFollowThroughProvision, // Code 7.3: followed through to completion, by when
        codeVersion: policy.version,
        codeTimescaleDueAt: dueAt,
        withinCodeTimescale: base.status === 'pending' ? null : base.status === 'met',
        remedyId: remedy.remedyId,
      },
    ];
  });
}

/**
 * Where a stage's two clocks start. The acknowledgement is met by the acknowledgement, or by a
 * response that came first (a full response also defines and logs the complaint). The response
 * clock runs from receipt, the escalation request, or the actual acknowledgement (decision 0004) — and from
 * the acknowledgement's due date when none was ever recorded.
 */
function clocks(policy: CodePolicy, stage: Stage, record: StageRecord, stageStartsAt: Instant, calendar: WorkingCalendar) {
  const rules = stagePolicy(policy, stage);
  const acknowledgedAt = record.acknowledgement?.at ?? null;
  const acknowledgement = rules.acknowledgement && {
    timescale: rules.acknowledgement,
    metAt: acknowledgedAt ?? record.response?.at ?? null,
  };
  return {
    acknowledgement,
    response: { timescale: rules.response, startsAt: responseStart(rules, stageStartsAt, acknowledgedAt, calendar) },
  };
}

function responseStart(rules: StagePolicy, stageStartsAt: Instant, acknowledgedAt: Instant | null, calendar: WorkingCalendar): Instant {
  if (rules.response.from !== 'acknowledgement') return stageStartsAt;
  if (acknowledgedAt) return acknowledgedAt;
  // No acknowledgement recorded: count from the day it was due (decision 0004).
  const acknowledgementDays = rules.acknowledgement?.workingDays ?? 0;
  return endOfLondonDay(calendar.addWorkingDays(londonDateOf(stageStartsAt), acknowledgementDays));
}

/**
 * The stage's clocks by the Code's own timescales, where the landlord publishes shorter ones (else
 * null: the two are the same): what CH02 measures (decision 0009).
 */
function codeClocks(start: Instant, stage: Stage, record: StageRecord, stageStartsAt: Instant, rules: ComplianceRules) {
  if (!rules.landlordTimescales) return null;
  const policy = codePolicyForClockStartingAt(start, rules);
  const { acknowledgement, response } = clocks(policy, stage, record, stageStartsAt, rules.calendar);
  return { acknowledgement, response: { ...response, extensionRule: stagePolicy(policy, stage).extension } };
}

/** When a withdrawal, non-acceptance or refused escalation ended the stage's clocks, if it did (a remedy's runs on). */
export function clocksEndedAt(state: ComplaintState, stage: Stage): Instant | null {
  const ends = [
    state.withdrawal?.withdrawnAt,
    state.nonAcceptance?.decidedAt,
    stage === 2 ? state.escalationRefusal?.decidedAt : undefined,
  ];
  const defined = ends.filter((end): end is Instant => end !== undefined);
  return defined.length ? defined.reduce((a, b) => (isAfter(a, b) ? b : a)) : null;
}

interface Judgement {
  kind: DeadlineKind;
  stage: Stage;
  timescale: Timescale;
  policy: CodePolicy;
  startsAt: Instant | null;
  metAt: Instant | null;
  asOf: Instant;
  end: Instant | null;
  rules: ComplianceRules;
  extensions?: { records: readonly ExtensionRecord[]; rule: ExtensionRule };
  /** The same clock by the Code's own timescale, where the landlord's is shorter: CH02's (`codeTimescaleDueAt`). */
  code?: { timescale: Timescale; startsAt: Instant | null; extensionRule?: ExtensionRule };
}

function judge(j: Judgement): Deadline | null {
  const { calendar } = j.rules;
  const common = { kind: j.kind, stage: j.stage, provision: j.timescale.provision, codeVersion: j.policy.version };
  if (j.startsAt === null) {
    if (j.end && !j.metAt) return null;
    // A clock that never started cannot be missed: met if answered by asOf, else pending.
    const metAt = j.metAt && !isAfter(j.metAt, j.asOf) ? j.metAt : null;
    return {
      ...common,
      startsAt: null,
      dueAt: null,
      metAt,
      status: metAt ? 'met' : 'pending',
      workingDaysLate: 0,
      codeTimescaleDueAt: null,
      withinCodeTimescale: metAt ? true : null,
      waitingFor: 'representative_consent',
    };
  }
  const baseDue = calendar.addWorkingDays(londonDateOf(j.startsAt), j.timescale.workingDays);
  const extended = j.extensions ? applyExtensions(baseDue, j.extensions.records, j.extensions.rule, j.asOf, calendar) : null;
  const dueAt = endOfLondonDay(extended?.dueDate ?? baseDue);
  const codeTimescaleDueAt = j.code ? codeDueAt(j, calendar) : endOfLondonDay(extended?.codeDueDate ?? baseDue);
  // A deadline not yet due when the complaint ended (withdrawn, not accepted, escalation refused) no longer applies.
  if (j.end && !isAfter(j.end, j.asOf) && !j.metAt && !isAfter(j.end, dueAt)) {
    // How it was extended stays on the record even though the deadline lapsed (Code 6.5 findings).
    if (!extended?.assessments.length) return null;
    const { startsAt } = j;
    const open = { metAt: null, status: 'pending' as const, workingDaysLate: 0, withinCodeTimescale: null };
    return { ...common, startsAt, dueAt, codeTimescaleDueAt, ...open, extensions: extended.assessments, lapsed: true };
  }
  const judged = status(dueAt, j.metAt, j.asOf, j.end, calendar);
  // Written out member by member (every sweep judges every due complaint's deadlines): the same
  // members in the same order as spreading `common` and `judged` would give.
  const deadline: Mutable<Deadline> = {
    kind: j.kind,
    stage: j.stage,
    provision: j.timescale.provision,
    codeVersion: j.policy.version,
    startsAt: j.startsAt,
    dueAt,
    codeTimescaleDueAt,
    metAt: judged.metAt,
    status: judged.status,
    workingDaysLate: judged.workingDaysLate,
    withinCodeTimescale: judged.metAt
      ? !isAfter(judged.metAt, codeTimescaleDueAt)
      : judged.status === 'breached' && isAfter(j.end && isAfter(j.asOf, j.end) ? j.end : j.asOf, codeTimescaleDueAt)
        ? false
        : null,
  };
  if (extended && extended.assessments.length) deadline.extensions = extended.assessments;
  return deadline;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** When the clock is due by the Code's own timescale and extension limit (valid extensions counted as decision 0005 counts them). */
function codeDueAt(j: Judgement, calendar: WorkingCalendar): Instant {
  const { timescale, startsAt, extensionRule } = j.code!;
  const base = calendar.addWorkingDays(londonDateOf(startsAt ?? j.startsAt!), timescale.workingDays);
  const extended = j.extensions && extensionRule ? applyExtensions(base, j.extensions.records, extensionRule, j.asOf, calendar) : null;
  return endOfLondonDay(extended?.codeDueDate ?? base);
}

/**
 * How many working days late something due at `dueAt` is at `until` (when it was met, or the moment
 * it is judged at while unmet): the working days after the due day up to `until`'s London date,
 * 0 while `until` is not past the due instant (decisions 0001, 0002). A deadline met the Saturday
 * after a Friday due day is late, by 0 working days. Every count of lateness is this one.
 */
export function workingDaysLate(dueAt: Instant, until: Instant, calendar: WorkingCalendar): number {
  if (!isAfter(until, dueAt)) return 0;
  return Math.max(0, calendar.workingDaysBetween(londonDateOf(dueAt), londonDateOf(until)));
}

function status(dueAt: Instant, metAt: Instant | null, asOf: Instant, end: Instant | null, calendar: WorkingCalendar) {
  if (metAt && !isAfter(metAt, asOf)) {
    const late = isAfter(metAt, dueAt);
    return {
      metAt,
      status: late ? ('met_late' as const) : ('met' as const),
      workingDaysLate: workingDaysLate(dueAt, metAt, calendar),
    };
  }
  if (!isAfter(asOf, dueAt)) return { metAt: null, status: 'pending' as const, workingDaysLate: 0 };
  // Lateness stops accruing when the complaint ended.
  const until = end && isAfter(asOf, end) ? end : asOf;
  return { metAt: null, status: 'breached' as const, workingDaysLate: workingDaysLate(dueAt, until, calendar) };
}

/**
 * Decision 0005, cumulative per stage. An extension counts toward the Code's timescale when it was
 * notified before the deadline then in force (decision 0005) and, where the Code requires, with the
 * Ombudsman's contact details (6.5/6.16); it counts only up to the limit (6.4/6.15). Beyond the
 * limit it moves the landlord's deadline only if a good reason was recorded; a defective one (late,
 * or without the details) moves nothing, whatever reason is given. Extensions notified after
 * `asOf` are not yet known.
 */
function applyExtensions(
  baseDue: LocalDate,
  records: readonly ExtensionRecord[],
  rule: ExtensionRule,
  asOf: Instant,
  calendar: WorkingCalendar,
) {
  let dueDate = baseDue;
  let codeDueDate = baseDue;
  const limitDate = calendar.addWorkingDays(baseDue, rule.maxWorkingDays);
  const assessments: ExtensionAssessment[] = [];
  const known = records.filter((record) => !isAfter(record.notifiedAt, asOf)).sort((a, b) => (a.notifiedAt < b.notifiedAt ? -1 : 1));
  for (const extension of known) {
    const workingDays = calendar.workingDaysBetween(baseDue, extension.newDeadline);
    const assessment: ExtensionAssessment = {
      extension,
      workingDays,
      limit: rule.maxWorkingDays,
      beyondLimit: workingDays > rule.maxWorkingDays,
      notifiedLate: isAfter(extension.notifiedAt, endOfLondonDay(dueDate)),
      ombudsmanDetailsMissing: rule.ombudsmanDetailsProvision !== null && !extension.ombudsmanDetailsGiven,
      rule,
    };
    assessments.push(assessment);
    // notified after the deadline then in force, or without the Ombudsman's details: recorded, found, and moves nothing,
    // whatever reason is given (decision 0005); a good reason only carries a valid extension past the limit
    if (assessment.notifiedLate || assessment.ombudsmanDetailsMissing) continue;
    const permitted = extension.newDeadline < limitDate ? extension.newDeadline : limitDate;
    codeDueDate = later(codeDueDate, permitted);
    dueDate = later(dueDate, extension.goodReason ? extension.newDeadline : permitted);
  }
  return { dueDate, codeDueDate, assessments };
}

const later = (a: LocalDate, b: LocalDate): LocalDate => (a > b ? a : b);
