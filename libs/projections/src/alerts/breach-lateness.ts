import {
  breachLateness,
  complaintAsOf,
  isAfter,
  workingDaysLate,
  type BreachLateness,
  type ComplaintState,
  type ComplianceRules,
  type DeadlineKind,
  type Instant,
  type Stage,
} from '@complaint-ledger/domain';
import type { Page } from '../complaints/complaint-list';
import type { ComplaintDocument } from '../complaints/complaint-projection';
import type { PointInTime } from '../point-in-time';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import type { AlertDocument } from './alert-projection';

/**
 * The page's breaches with how late each deadline is, judged where the query is (`asOf`, else
 * `knownAt`, else now). Live (no `knownAt`), on the complaint as the read model knows it, so a
 * breach the sweep found unmet says when it was met afterwards (`metAt`) and stops counting then,
 * and one whose complaint ended stops there. At `knownAt`, as the breach itself was recorded: a met
 * time only where a late fact revealed it, later facts being unknown then. A retracted breach no
 * longer holds and is not late; warnings are as recorded.
 */
export function withWorkingDaysLate(
  readSide: { readonly db: ReadModelDatabase; readonly rules: ComplianceRules },
  page: Page<AlertDocument>,
  at: PointInTime,
  now: Instant,
): Page<AlertDocument> {
  const judgedAt = at.asOf ?? at.knownAt ?? now;
  const complaints = complaintsAsOf(readSide.db, at.asOf);
  const items = page.items.map((alert): AlertDocument => {
    if (alert.type !== 'DeadlineBreached' || alert.retracted) return alert;
    const state = at.knownAt ? null : complaints(alert.complaintId);
    const lateness = state ? breachLateness(state, breachOf(alert), judgedAt, readSide.rules) : asRecorded(alert, judgedAt, readSide.rules);
    const { metAt: _asRecorded, ...breach } = alert;
    return { ...breach, ...(lateness.metAt ? { metAt: lateness.metAt } : {}), workingDaysLate: lateness.workingDaysLate };
  });
  return { ...page, items };
}

const breachOf = (alert: AlertDocument) => ({
  kind: alert.kind as DeadlineKind,
  stage: alert.stage as Stage,
  ...(alert.remedyId ? { remedyId: alert.remedyId } : {}),
  dueAt: alert.dueAt,
});

function asRecorded(alert: AlertDocument, judgedAt: Instant, rules: ComplianceRules): BreachLateness {
  const metAt = alert.metAt && !isAfter(alert.metAt, judgedAt) ? alert.metAt : null;
  return { metAt, workingDaysLate: workingDaysLate(alert.dueAt, metAt ?? judgedAt, rules.calendar) };
}

/** Each complaint read once per page, as it stood at `asOf` (the facts dated by then) when asked. */
function complaintsAsOf(db: ReadModelDatabase, asOf: Instant | undefined): (id: string) => ComplaintState | null {
  const read = db.prepare(`SELECT doc FROM ${tableOf({ name: 'complaints' })} WHERE key = ?`).pluck();
  const seen = new Map<string, ComplaintState | null>();
  return (id) => {
    if (!seen.has(id)) {
      const doc = read.get(id) as string | undefined;
      const state = doc ? (JSON.parse(doc) as ComplaintDocument).state : null;
      seen.set(id, state && asOf ? complaintAsOf(state, asOf) : state);
    }
    return seen.get(id)!;
  };
}
