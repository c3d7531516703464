import {
  EVENT_SCHEMA_VERSION,
  occurredAtOf,
  toInstant,
  WorkingCalendar,
  type ComplaintEvent,
  type ComplianceRules,
  type Tenure,
} from '@complaint-ledger/domain';
import { complaintStream, type EventStore } from '@complaint-ledger/event-store';
import { randomUUID } from 'node:crypto';
import { ReadSide } from '../../src/read-side';

export const RULES: ComplianceRules = { calendar: new WorkingCalendar() };
export const ALERTS = { warningWorkingDays: 2 };

const at = (londonTime: string) => toInstant(londonTime);

/** A complaint's facts as a housing system would send them, times in London wall-clock. */
export class ComplaintFacts {
  readonly events: ComplaintEvent[] = [];
  constructor(readonly id: string = randomUUID()) {}

  received(when: string, tenure: Tenure = 'LCRA', category = 'repairs'): this {
    return this.add({
      type: 'ComplaintReceived',
      data: {
        complaintId: this.id,
        receivedAt: at(when),
        channel: 'email',
        tenure,
        category,
        summary: 'Leak',
        resident: { reference: 'RES-1' },
      },
    });
  }
  acknowledged(stage: 1 | 2, when: string): this {
    return this.add({ type: 'Acknowledged', data: { complaintId: this.id, stage, acknowledgedAt: at(when), complaintDefinition: 'Leak' } });
  }
  responded(stage: 1 | 2, when: string): this {
    return this.add({
      type: 'Responded',
      data: {
        complaintId: this.id,
        stage,
        respondedAt: at(when),
        decision: 'upheld',
        reasons: 'Repair was late',
        remedyIds: [],
        outstandingActions: [],
        escalationRightsGiven: true,
      },
    });
  }
  escalated(when: string): this {
    return this.add({ type: 'Escalated', data: { complaintId: this.id, requestedAt: at(when) } });
  }
  notAccepted(when: string): this {
    return this.add({ type: 'ComplaintNotAccepted', data: this.refusal(when, 'Insurance claim') });
  }
  escalationRefused(when: string): this {
    return this.add({ type: 'EscalationRefused', data: this.refusal(when, 'Legal action') });
  }
  extended(stage: 1 | 2, when: string, newDeadline: string): this {
    return this.add({
      type: 'Extended',
      data: { complaintId: this.id, stage, notifiedAt: at(when), newDeadline, reason: 'Survey needed', ombudsmanDetailsGiven: true },
    });
  }
  remedy(remedyId: string, when: string, dueBy: string, completedWhen?: string): this {
    this.add({
      type: 'RemedyOffered',
      data: {
        complaintId: this.id,
        remedyId,
        offeredAt: at(when),
        stage: 1,
        type: 'financial',
        description: 'Compensation',
        amountPence: 5_000,
        dueBy,
      },
    });
    return completedWhen
      ? this.add({ type: 'RemedyCompleted', data: { complaintId: this.id, remedyId, completedAt: at(completedWhen) } })
      : this;
  }
  withdrawn(when: string): this {
    return this.add({ type: 'ComplaintWithdrawn', data: { complaintId: this.id, withdrawnAt: at(when) } });
  }
  private refusal(when: string, explanation: string) {
    return { complaintId: this.id, decidedAt: at(when), ground: 'other' as const, explanation, ombudsmanRightExplained: true };
  }
  private add(event: ComplaintEvent): this {
    this.events.push(event);
    return this;
  }
}

/** Appends each complaint's facts to its stream, as the ledger service would. */
export async function record(store: EventStore, ...complaints: ComplaintFacts[]): Promise<void> {
  for (const complaint of complaints) {
    await store.append(
      complaintStream(complaint.id),
      complaint.events.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { occurredAt: occurredAtOf(event), actor: 'test', correlationId: randomUUID(), schemaVersion: EVENT_SCHEMA_VERSION },
      })),
      'any',
    );
  }
}

/** `count` complaints made by `make`, each with its own id. */
export const many = (count: number, make: (facts: ComplaintFacts) => ComplaintFacts) =>
  Array.from({ length: count }, () => make(new ComplaintFacts()));

/** A read side over `store` with the test rules, its read models in `path`. */
export const testReadSide = (store: EventStore, path: string) => new ReadSide({ store, path, rules: RULES, alerts: ALERTS });
