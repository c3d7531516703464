import { endOfLondonDay, isAfter, londonDateOf, startOfLondonDay, type Instant } from '../calendar/london-time';
import type { BreachRetracted, DeadlineApproaching, DeadlineAlert, DeadlineBreached, RetractionReason } from '../complaint/events';
import type { ComplaintState } from '../complaint/state';
import type { DeadlineKind } from '../complaint/vocabulary';
import type { Stage } from '../policy/code-policy';
import { clocksEndedAt, evaluateDeadlines, workingDaysLate, type Deadline } from './deadlines';
import type { ComplianceRules } from './rules';

/**
 * Deadline alerts: what the breach detector records (decision 0017). A deadline not met on time is
 * breached: unmet once its due instant (end of the due day, decision 0002) and any grace period have
 * passed, or met after its due instant, whenever that fact was recorded. A recorded breach that the
 * facts as now known no longer show (an on-time acknowledgement synced late, a correction) is
 * retracted. A warning is given from the start of the working day `warningWorkingDays` before the
 * due day. Each alert is keyed by the deadline and its due instant, so a deadline moved by an
 * extension (Code 6.4/6.15) is watched afresh, and each is recorded once (Code 5.12: a full record).
 */
export interface AlertSettings {
  readonly warningWorkingDays: number;
  /** Working days after the due day before the sweep declares an unmet deadline breached (0: at once). */
  readonly breachGraceWorkingDays?: number;
}

export const deadlineKey = (deadline: Deadline): string =>
  [deadline.kind, deadline.stage, deadline.remedyId ?? '-', deadline.dueAt ?? 'waiting'].join('|');

type Due = Deadline & { readonly dueAt: Instant };

interface Watched {
  readonly deadline: Due;
  readonly key: string;
  readonly warnFrom: Instant;
}

/** Unmet deadlines with a due instant, as they stand at `asOf`. */
export function watchedDeadlines(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  settings: AlertSettings,
  evaluated: readonly Deadline[] = evaluateDeadlines(state, asOf, rules),
): Watched[] {
  return evaluated
    .filter((d): d is Due => d.dueAt !== null && d.metAt === null && (d.status === 'pending' || d.status === 'breached'))
    .map((deadline) => ({ deadline, key: deadlineKey(deadline), warnFrom: warningStart(deadline.dueAt, rules, settings) }));
}

/**
 * The next instant at which `alertsDue` could find something to record, or null if never: `asOf`
 * itself when the facts already call for a breach or a retraction not yet recorded.
 * `evaluated`: the complaint's deadlines at `asOf`, when the caller has them already.
 */
export function nextAlertAt(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  settings: AlertSettings,
  evaluated: readonly Deadline[] = evaluateDeadlines(state, asOf, rules),
): Instant | null {
  const asserted = assertedBreaches(state);
  if (evaluated.some((d) => d.status === 'met_late' && !asserted.has(deadlineKey(d)))) return asOf;
  if ([...asserted.values()].some((alert) => disproof(alert, evaluated) !== null)) return asOf;
  const approaching = new Set(state.alerts?.approaching ?? []);
  let next: Instant | null = null;
  for (const { deadline, key, warnFrom } of watchedDeadlines(state, asOf, rules, settings, evaluated)) {
    if (asserted.has(key)) continue;
    const breachAt = breachFrom(deadline.dueAt, rules, settings);
    const at = approaching.has(key) || !isAfter(deadline.dueAt, warnFrom) ? breachAt : warnFrom;
    if (next === null || isAfter(next, at)) next = at;
  }
  return next;
}

/** The alerts and retractions to record at `asOf` that are not recorded yet. */
export function alertsDue(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  settings: AlertSettings,
): (DeadlineBreached | DeadlineApproaching | BreachRetracted)[] {
  const evaluated = evaluateDeadlines(state, asOf, rules);
  const asserted = assertedBreaches(state);
  const approaching = new Set(state.alerts?.approaching ?? []);
  const recorded = countOf(state.alerts?.breached ?? []);
  const alerts: (DeadlineBreached | DeadlineApproaching | BreachRetracted)[] = [];
  const about = (deadline: Due, key: string): DeadlineAlert => ({
    complaintId: state.complaintId,
    deadlineKey: key,
    kind: deadline.kind,
    stage: deadline.stage,
    ...(deadline.remedyId ? { remedyId: deadline.remedyId } : {}),
    dueAt: deadline.dueAt,
    provision: deadline.provision,
    codeVersion: deadline.codeVersion,
  });
  const recurrence = (key: string) => (recorded.get(key) ? { recurrence: recorded.get(key)! } : {});
  // revealed by a fact: met, but after its due instant, with no breach on record
  for (const deadline of evaluated) {
    const key = deadlineKey(deadline);
    if (deadline.status !== 'met_late' || !deadline.dueAt || asserted.has(key)) continue;
    const late = { metAt: deadline.metAt!, workingDaysLate: deadline.workingDaysLate };
    alerts.push({ type: 'DeadlineBreached', data: { ...about(deadline as Due, key), detectedAt: asOf, ...late, ...recurrence(key) } });
  }
  // found by the sweep: unmet past its due instant (and the grace period), or near it
  for (const { deadline, key, warnFrom } of watchedDeadlines(state, asOf, rules, settings, evaluated)) {
    if (asserted.has(key)) continue;
    if (isAfter(asOf, breachFrom(deadline.dueAt, rules, settings))) {
      const late = { workingDaysLate: deadline.workingDaysLate };
      alerts.push({ type: 'DeadlineBreached', data: { ...about(deadline, key), detectedAt: asOf, ...late, ...recurrence(key) } });
    } else if (!approaching.has(key) && !isAfter(warnFrom, asOf)) {
      // within a grace period the warning says how far past due it is (a negative count)
      const workingDaysLeft = rules.calendar.workingDaysBetween(londonDateOf(asOf), londonDateOf(deadline.dueAt));
      alerts.push({ type: 'DeadlineApproaching', data: { ...about(deadline, key), warnedAt: asOf, workingDaysLeft } });
    }
  }
  // disproved: a breach on record that the facts as now known no longer show
  const retracted = countOf(state.alerts?.retracted ?? []);
  for (const [key, alert] of asserted) {
    const reason = disproof(alert, evaluated);
    if (!reason) continue;
    const data = { ...alert, complaintId: state.complaintId, retractedAt: asOf, reason };
    alerts.push({ type: 'BreachRetracted', data: { ...data, ...(retracted.get(key) ? { recurrence: retracted.get(key)! } : {}) } });
  }
  return alerts;
}

/** How late a recorded breach's deadline is: when it was met, and the working days from its due instant. */
export interface BreachLateness {
  readonly metAt: Instant | null;
  readonly workingDaysLate: number;
}

/**
 * How late a breach's deadline is on the facts in `state`, judged at `asOf`: when it was met (by
 * then), and the working days from the breach's due instant to that moment or, while unmet, to
 * `asOf` or to the end of the complaint's clocks. The deadline is found by kind, stage and remedy,
 * so one extended after it had passed (its breach holds, decision 0017) still says when it was met.
 */
export function breachLateness(
  state: ComplaintState,
  breach: Pick<DeadlineAlert, 'kind' | 'stage' | 'remedyId' | 'dueAt'>,
  asOf: Instant,
  rules: ComplianceRules,
): BreachLateness {
  const same = evaluateDeadlines(state, asOf, rules).find(
    (d) => d.kind === breach.kind && d.stage === breach.stage && (d.remedyId ?? undefined) === breach.remedyId,
  );
  if (same && same.dueAt === breach.dueAt) return { metAt: same.metAt, workingDaysLate: same.workingDaysLate };
  const metAt = same?.metAt ?? null;
  const end = breach.kind === 'remedy' ? null : clocksEndedAt(state, breach.stage);
  const until = metAt ?? (end && isAfter(asOf, end) ? end : asOf);
  return { metAt, workingDaysLate: workingDaysLate(breach.dueAt, until, rules.calendar) };
}

/** Recorded breaches not yet retracted, by deadline key, with what the key says of the deadline. */
export function assertedBreaches(state: ComplaintState): Map<string, Omit<DeadlineAlert, 'complaintId'>> {
  const retracted = countOf(state.alerts?.retracted ?? []);
  const asserted = new Map<string, Omit<DeadlineAlert, 'complaintId'>>();
  for (const [key, count] of countOf(state.alerts?.breached ?? [])) {
    if (count > (retracted.get(key) ?? 0)) asserted.set(key, alertOfKey(key, state));
  }
  return asserted;
}

/**
 * Why a breach on record no longer holds on the deadlines as now evaluated, or null while it does:
 * it holds while its deadline is still breached or met late, and when an extension notified after
 * it had passed moved the deadline (the breach happened before the extension; Code 6.4/6.15).
 */
function disproof(alert: Omit<DeadlineAlert, 'complaintId'>, evaluated: readonly Deadline[]): RetractionReason | null {
  const same = evaluated.find((d) => d.kind === alert.kind && d.stage === alert.stage && (d.remedyId ?? undefined) === alert.remedyId);
  if (!same || same.lapsed) return 'no_longer_due';
  if (same.dueAt === alert.dueAt) return same.status === 'breached' || same.status === 'met_late' ? null : 'met_on_time';
  const extendedAfter = same.extensions?.some((assessment) => isAfter(assessment.extension.notifiedAt, alert.dueAt));
  return extendedAfter ? null : 'deadline_moved';
}

/** The key names kind, stage, remedy and due instant; provision and Code come from the breach on record. */
function alertOfKey(key: string, state: ComplaintState): Omit<DeadlineAlert, 'complaintId'> {
  const [kind, stage, remedyId, dueAt] = key.split('|') as [DeadlineKind, string, string, Instant];
  const recorded = state.alerts?.cited?.[key];
  return {
    deadlineKey: key,
    kind,
    stage: Number(stage) as Stage,
    ...(remedyId !== '-' ? { remedyId } : {}),
    dueAt,
    provision: recorded?.provision ?? '',
    codeVersion: recorded?.codeVersion ?? '2024',
  };
}

function breachFrom(dueAt: Instant, rules: ComplianceRules, settings: AlertSettings): Instant {
  const grace = settings.breachGraceWorkingDays ?? 0;
  return grace ? endOfLondonDay(rules.calendar.addWorkingDays(londonDateOf(dueAt), grace)) : dueAt;
}

function warningStart(dueAt: Instant, rules: ComplianceRules, settings: AlertSettings): Instant {
  return startOfLondonDay(rules.calendar.workingDaysBefore(londonDateOf(dueAt), settings.warningWorkingDays));
}

function countOf(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
