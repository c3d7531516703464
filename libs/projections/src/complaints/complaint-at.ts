import { tableOf } from '../read-model-database';
import type { PointInTime } from '../point-in-time';

/**
 * The complaints read model's rows as they stood at a point in time, as SQL: where to read them
 * and the expressions that give each column's value then.
 *
 * Record time (`knownAt`): the spans of the read model's history (`rm_complaints_versions`) valid
 * at that instant: what the read model said then, to the event.
 *
 * Business time (`asOf`): a complaint's status, stage and counting dates follow from when each
 * fact they turn on happened (the `*_at` columns): a fact dated after `asOf` had not happened, so
 * a complaint responded to on 20 May was open on the 10th. The rows are the complaints as now
 * known (or as known at `knownAt`), each cut at `asOf` — the facts as corrected by everything
 * recorded, as a complaint's own view at `asOf` is (decision 0018).
 */
export interface ComplaintsAt {
  /** The table (or the versions table) to read, with its validity clause for `knownAt`. */
  readonly from: string;
  readonly where: readonly string[];
  readonly params: Record<string, string>;
  /** Each column's value at the point in time, as an SQL expression over the row. */
  readonly status: string;
  readonly stage: string;
  readonly excluded: string;
  readonly escalatedOn: string;
  readonly stage1RespondedOn: string;
  readonly stage2RespondedOn: string;
  /** The breaches that held then: of deadlines due by `asOf`, not retracted (as known at `knownAt`), as the breaches list says. */
  readonly breaches: string;
}

const COMPLAINTS = tableOf({ name: 'complaints' });
const ALERTS = tableOf({ name: 'deadline_alerts' });

/** Whether the fact dated by `column` had happened by `@asOf` (false when it never did). */
const happened = (column: string) => `COALESCE(${column} <= @asOf, 0)`;

export function complaintsAt(at: PointInTime): ComplaintsAt {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (at.knownAt) {
    where.push('known_from <= @knownAt', 'known_to > @knownAt');
    params.knownAt = at.knownAt;
  }
  const from = at.knownAt ? `${COMPLAINTS}_versions` : COMPLAINTS;
  if (!at.asOf)
    return {
      from,
      where,
      params,
      status: 'status',
      stage: 'stage',
      excluded: 'excluded',
      escalatedOn: 'escalated_on',
      stage1RespondedOn: 'stage1_responded_on',
      stage2RespondedOn: 'stage2_responded_on',
      breaches: 'breaches',
    };
  where.push('received_at <= @asOf');
  params.asOf = at.asOf;
  const escalated = `${happened('escalated_at')} AND NOT ${happened('escalation_refused_at')}`;
  return {
    from,
    where,
    params,
    // statusOf (libs/domain) on the facts dated by then, in its order
    status: `CASE
      WHEN ${happened('withdrawn_at')} THEN 'withdrawn'
      WHEN ${happened('not_accepted_at')} THEN 'not_accepted'
      WHEN ${happened('escalation_refused_at')} THEN 'escalation_refused'
      WHEN ${happened('escalated_at')} THEN CASE WHEN ${happened('stage2_responded_at')} THEN 'closed' ELSE 'open' END
      WHEN ${happened('stage1_responded_at')} THEN 'responded'
      ELSE 'open' END`,
    stage: `CASE WHEN ${happened('escalated_at')} THEN 2 ELSE 1 END`,
    excluded: happened('not_accepted_at'),
    escalatedOn: `CASE WHEN ${escalated} THEN escalation_requested_on END`,
    stage1RespondedOn: `CASE WHEN ${happened('stage1_responded_at')} THEN stage1_responded_on END`,
    stage2RespondedOn: `CASE WHEN ${happened('stage2_responded_at')} THEN stage2_responded_on END`,
    // the row's own count is of every breach recorded, those of deadlines due after asOf included (decision 0017)
    breaches: `(SELECT count(*) FROM ${ALERTS} alert WHERE alert.complaint_id = ${from}.key AND alert.type = 'DeadlineBreached'
      AND alert.due_at <= @asOf AND ${
        at.knownAt
          ? 'alert.recorded_at <= @knownAt AND (alert.retracted_recorded_at IS NULL OR alert.retracted_recorded_at > @knownAt)'
          : 'alert.retracted_recorded_at IS NULL'
      })`,
  };
}
