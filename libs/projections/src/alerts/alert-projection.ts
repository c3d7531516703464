import type { BreachRetracted, DeadlineApproaching, DeadlineBreached, RetractionReason } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import type { KeyedProjection } from '../projection';

/** One deadline alert, as `GET /v1/breaches` lists it: a breach (with its retraction, if any) or a warning. */
export interface AlertDocument {
  readonly type: 'DeadlineBreached' | 'DeadlineApproaching';
  readonly eventId: string;
  readonly position: number;
  readonly complaintId: string;
  readonly deadlineKey: string;
  readonly kind: string;
  readonly stage: number;
  readonly remedyId?: string;
  readonly dueAt: string;
  /** When the ledger detected the breach or gave the warning. */
  readonly at: string;
  /** When the alert was recorded in the log (record time). */
  readonly recordedAt: string;
  /** For a deadline met late: when it was met (listed: as the facts now say, decision 0017). */
  readonly metAt?: string;
  /**
   * Listed, for a breach that holds: working days from the due instant to when it was met or, while
   * unmet, to the instant asked about (decisions 0001, 0002), counted when the list is asked for.
   */
  readonly workingDaysLate?: number;
  readonly provision: string;
  readonly codeVersion: string;
  readonly workingDaysLeft?: number;
  /** Earlier breaches of the same deadline that were retracted; absent for the first. */
  readonly recurrence?: number;
  /** Present once facts recorded later disproved the breach (decision 0017). */
  readonly retracted?: { readonly at: string; readonly recordedAt: string; readonly reason: RetractionReason; readonly eventId: string };
}

type AlertEvent = DeadlineBreached | DeadlineApproaching | BreachRetracted;

/** A breach and its retraction share a row: the complaint, the deadline, and which occurrence of its breach. */
const alertKey = (type: string, complaintId: string, deadlineKey: string, recurrence = 0) =>
  type === 'DeadlineApproaching' ? `approaching|${complaintId}|${deadlineKey}` : `breach|${complaintId}|${deadlineKey}|${recurrence}`;

/** The row's key, for a cursor. */
export const keyOfAlert = (doc: AlertDocument): string => alertKey(doc.type, doc.complaintId, doc.deadlineKey, doc.recurrence);

/** Every recorded deadline alert, each breach with its retraction when one was recorded. */
export function alertProjection(): KeyedProjection<AlertDocument> {
  return {
    name: 'deadline_alerts',
    version: '2',
    columns: [
      { name: 'type', type: 'TEXT', of: (d) => d.type },
      { name: 'kind', type: 'TEXT', of: (d) => d.kind },
      { name: 'at', type: 'TEXT', indexed: true, of: (d) => d.at },
      { name: 'complaint_id', type: 'TEXT', of: (d) => d.complaintId },
      { name: 'due_at', type: 'TEXT', of: (d) => d.dueAt },
      { name: 'recorded_at', type: 'TEXT', of: (d) => d.recordedAt },
      { name: 'retracted_recorded_at', type: 'TEXT', of: (d) => d.retracted?.recordedAt ?? null },
    ],
    // the list's order with its tie-breaker, across the ledger and within one complaint
    indexes: [
      ['at', 'key'],
      ['complaint_id', 'at', 'key'],
    ],
    keyOf: (event) => {
      if (event.type !== 'DeadlineBreached' && event.type !== 'DeadlineApproaching' && event.type !== 'BreachRetracted') return null;
      const { complaintId, deadlineKey } = event.data as AlertEvent['data'];
      const recurrence = event.type === 'DeadlineApproaching' ? undefined : (event.data as { recurrence?: number }).recurrence;
      return alertKey(event.type, complaintId, deadlineKey, recurrence);
    },
    evolve: (doc, event) => {
      const alert = { type: event.type, data: event.data } as AlertEvent;
      if (alert.type === 'BreachRetracted') {
        if (!doc) return doc; // a retraction always follows its breach in the log
        const { retractedAt: at, reason } = alert.data;
        return { ...doc, retracted: { at, recordedAt: event.metadata.recordedAt, reason, eventId: event.eventId } };
      }
      return documentOf(alert, event);
    },
  };
}

function documentOf(alert: DeadlineBreached | DeadlineApproaching, event: RecordedEvent): AlertDocument {
  const { complaintId, deadlineKey, kind, stage, remedyId, dueAt, provision, codeVersion } = alert.data;
  return {
    type: alert.type,
    eventId: event.eventId,
    position: event.position,
    complaintId,
    deadlineKey,
    kind,
    stage,
    ...(remedyId ? { remedyId } : {}),
    dueAt,
    at: alert.type === 'DeadlineBreached' ? alert.data.detectedAt : alert.data.warnedAt,
    recordedAt: event.metadata.recordedAt,
    ...(alert.type === 'DeadlineBreached' && alert.data.metAt ? { metAt: alert.data.metAt } : {}),
    ...(alert.type === 'DeadlineBreached' && alert.data.recurrence ? { recurrence: alert.data.recurrence } : {}),
    provision,
    codeVersion,
    ...(alert.type === 'DeadlineApproaching' ? { workingDaysLeft: alert.data.workingDaysLeft } : {}),
  };
}
