import type { DeadlineApproaching, DeadlineBreached } from '@complaint-ledger/domain';
import type { KeyedProjection } from '../projection';

/** One recorded deadline alert, as `GET /v1/breaches` lists it. */
export interface AlertDocument {
  readonly type: 'DeadlineBreached' | 'DeadlineApproaching';
  readonly eventId: string;
  readonly position: number;
  readonly complaintId: string;
  readonly kind: string;
  readonly stage: number;
  readonly remedyId?: string;
  readonly dueAt: string;
  /** When the ledger detected the breach or gave the warning. */
  readonly at: string;
  readonly provision: string;
  readonly codeVersion: string;
  readonly workingDaysLeft?: number;
}

type AlertEvent = DeadlineBreached | DeadlineApproaching;

/** Every `DeadlineBreached` and `DeadlineApproaching` in the log, keyed by event id. */
export function alertProjection(): KeyedProjection<AlertDocument> {
  return {
    name: 'deadline_alerts',
    version: '1',
    columns: [
      { name: 'type', type: 'TEXT', of: (d) => d.type },
      { name: 'kind', type: 'TEXT', of: (d) => d.kind },
      { name: 'at', type: 'TEXT', indexed: true, of: (d) => d.at },
      { name: 'complaint_id', type: 'TEXT', indexed: true, of: (d) => d.complaintId },
    ],
    keyOf: (event) => (event.type === 'DeadlineBreached' || event.type === 'DeadlineApproaching' ? event.eventId : null),
    evolve: (_doc, event) => {
      const alert = { type: event.type, data: event.data } as AlertEvent;
      const { complaintId, kind, stage, remedyId, dueAt, provision, codeVersion } = alert.data;
      return {
        type: alert.type,
        eventId: event.eventId,
        position: event.position,
        complaintId,
        kind,
        stage,
        ...(remedyId ? { remedyId } : {}),
        dueAt,
        at: alert.type === 'DeadlineBreached' ? alert.data.detectedAt : alert.data.warnedAt,
        provision,
        codeVersion,
        ...(alert.type === 'DeadlineApproaching' ? { workingDaysLeft: alert.data.workingDaysLeft } : {}),
      };
    },
  };
}
