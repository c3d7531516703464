import { isAfter, londonDateOf, startOfLondonDay, type Instant } from '../calendar/london-time';
import type { DeadlineApproaching, DeadlineAlert, DeadlineBreached } from '../complaint/events';
import type { ComplaintState } from '../complaint/state';
import { evaluateDeadlines, type Deadline } from './deadlines';
import type { ComplianceRules } from './rules';

/**
 * Deadline alerts: what a breach detector records. A deadline is watched while it has a due
 * instant and is unmet; it is breached once its due instant (end of the due day, decision 0002) has passed,
 * and approaching from the start of the working day `warningWorkingDays` before its due day.
 * Each alert is keyed by the deadline and its due instant, so a deadline moved by an extension
 * (Code 6.4/6.16) is watched afresh, and each alert is recorded once (Code 5.12: a full record).
 */
export interface AlertSettings {
  readonly warningWorkingDays: number;
}

export const deadlineKey = (deadline: Deadline): string =>
  [deadline.kind, deadline.stage, deadline.remedyId ?? '-', deadline.dueAt ?? 'waiting'].join('|');

interface Watched {
  readonly deadline: Deadline & { readonly dueAt: Instant };
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
    .filter(
      (d): d is Deadline & { dueAt: Instant } =>
        d.dueAt !== null && d.metAt === null && (d.status === 'pending' || d.status === 'breached'),
    )
    .map((deadline) => ({ deadline, key: deadlineKey(deadline), warnFrom: warningStart(deadline.dueAt, rules, settings) }));
}

/**
 * The next instant at which `alertsDue` could find something to record, or null if never.
 * `evaluated`: the complaint's deadlines at `asOf`, when the caller has them already.
 */
export function nextAlertAt(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  settings: AlertSettings,
  evaluated?: readonly Deadline[],
): Instant | null {
  const { breached, approaching } = recordedAlerts(state);
  let next: Instant | null = null;
  for (const { deadline, key, warnFrom } of watchedDeadlines(state, asOf, rules, settings, evaluated)) {
    if (breached.has(key)) continue;
    const at = approaching.has(key) || !isAfter(deadline.dueAt, warnFrom) ? deadline.dueAt : warnFrom;
    if (next === null || isAfter(next, at)) next = at;
  }
  return next;
}

/** The alerts to record at `asOf` that are not recorded yet. */
export function alertsDue(
  state: ComplaintState,
  asOf: Instant,
  rules: ComplianceRules,
  settings: AlertSettings,
): (DeadlineBreached | DeadlineApproaching)[] {
  const { breached, approaching } = recordedAlerts(state);
  const alerts: (DeadlineBreached | DeadlineApproaching)[] = [];
  for (const { deadline, key, warnFrom } of watchedDeadlines(state, asOf, rules, settings)) {
    if (breached.has(key)) continue;
    const about: DeadlineAlert = {
      complaintId: state.complaintId,
      deadlineKey: key,
      kind: deadline.kind,
      stage: deadline.stage,
      ...(deadline.remedyId ? { remedyId: deadline.remedyId } : {}),
      dueAt: deadline.dueAt,
      provision: deadline.provision,
      codeVersion: deadline.codeVersion,
    };
    if (isAfter(asOf, deadline.dueAt)) {
      alerts.push({ type: 'DeadlineBreached', data: { ...about, detectedAt: asOf } });
    } else if (!approaching.has(key) && !isAfter(warnFrom, asOf)) {
      const workingDaysLeft = rules.calendar.workingDaysBetween(londonDateOf(asOf), londonDateOf(deadline.dueAt));
      alerts.push({ type: 'DeadlineApproaching', data: { ...about, warnedAt: asOf, workingDaysLeft } });
    }
  }
  return alerts;
}

function warningStart(dueAt: Instant, rules: ComplianceRules, settings: AlertSettings): Instant {
  return startOfLondonDay(rules.calendar.workingDaysBefore(londonDateOf(dueAt), settings.warningWorkingDays));
}

function recordedAlerts(state: ComplaintState) {
  return { breached: new Set(state.alerts?.breached ?? []), approaching: new Set(state.alerts?.approaching ?? []) };
}
