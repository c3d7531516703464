import type { Instant, LocalDate } from '../calendar/london-time';
import type { Stage } from '../policy/code-policy';
import type { ComplaintEvent, Representative, RemedyTerms, Resident } from './events';
import { definedOnly } from './defined-only';
import type { Channel, Decision, ExclusionGround, Tenure } from './vocabulary';

export interface AcknowledgementRecord {
  readonly at: Instant;
  readonly definition: string;
  readonly outcomesSought?: string;
  readonly handler?: string;
  readonly responsibilityNotes?: string;
}

export interface ExtensionRecord {
  readonly notifiedAt: Instant;
  readonly newDeadline: LocalDate;
  readonly reason: string;
  readonly ombudsmanDetailsGiven: boolean;
  readonly goodReason?: string;
}

export interface ResponseRecord {
  readonly at: Instant;
  readonly decision: Decision;
  readonly reasons?: string;
  readonly remedyIds: readonly string[];
  readonly outstandingActions?: readonly string[];
  readonly escalationRightsGiven: boolean;
  readonly handler?: string;
}

export interface StageRecord {
  readonly acknowledgement?: AcknowledgementRecord;
  readonly extensions: readonly ExtensionRecord[];
  readonly response?: ResponseRecord;
  /** Handlers named for the stage, in order (assignment, acknowledgement, response). */
  readonly handlers: readonly { readonly handler: string; readonly at: Instant }[];
}

export interface Stage2Record extends StageRecord {
  readonly requestedAt: Instant;
  readonly reason?: string;
}

export interface Decided {
  readonly decidedAt: Instant;
  readonly ground: ExclusionGround;
  readonly explanation: string;
  readonly ombudsmanRightExplained: boolean;
}

export interface RemedyRecord extends RemedyTerms {
  readonly remedyId: string;
  readonly offeredAt: Instant;
  readonly stage: Stage;
  readonly completedAt?: Instant;
}

export interface ComplaintState {
  readonly complaintId: string;
  readonly receivedAt: Instant;
  readonly channel: Channel;
  readonly tenure: Tenure;
  readonly category: string;
  readonly summary: string;
  readonly resident: Resident;
  readonly outcomeSought?: string;
  readonly representative?: Representative;
  readonly issueOccurredAt?: Instant;
  readonly residentAwareAt?: Instant;
  readonly relatedServiceRequest?: string;
  readonly stage1: StageRecord;
  readonly stage2?: Stage2Record;
  readonly nonAcceptance?: Decided;
  readonly escalationRefusal?: Decided;
  readonly withdrawal?: { readonly withdrawnAt: Instant; readonly reason?: string };
  readonly remedies: readonly RemedyRecord[];
  readonly correspondenceCount: number;
  readonly reasonableAdjustments: readonly { readonly recordedAt: Instant; readonly adjustment: string; readonly reviewBy?: LocalDate }[];
  /** When the resident's personal data was erased (its fields then read `[erased]`). */
  readonly personalDataErasedAt?: Instant;
  /** Deadline keys the ledger has already alerted on, so each alert is recorded once. */
  readonly alerts?: { readonly breached: readonly string[]; readonly approaching: readonly string[] };
}

/** Before `ComplaintReceived` there is no complaint. */
export type State = ComplaintState | null;

export const initialState: State = null;

export type ComplaintStatus = 'open' | 'responded' | 'closed' | 'escalation_refused' | 'not_accepted' | 'withdrawn';

/** Status in the landlord's words; `responded` is a stage 1 answer that may still be escalated. */
export function statusOf(state: ComplaintState): ComplaintStatus {
  if (state.withdrawal) return 'withdrawn';
  if (state.nonAcceptance) return 'not_accepted';
  if (state.escalationRefusal) return 'escalation_refused';
  if (state.stage2) return state.stage2.response ? 'closed' : 'open';
  return state.stage1.response ? 'responded' : 'open';
}

export function currentStage(state: ComplaintState): Stage {
  return state.stage2 ? 2 : 1;
}

export function stageRecord(state: ComplaintState, stage: Stage): StageRecord | undefined {
  return stage === 1 ? state.stage1 : state.stage2;
}

const emptyStage: StageRecord = { extensions: [], handlers: [] };

export function evolve(state: State, event: ComplaintEvent): State {
  if (event.type === 'ComplaintReceived') {
    const { complaintId, ...data } = event.data;
    return {
      complaintId,
      ...data,
      stage1: emptyStage,
      remedies: [],
      correspondenceCount: 0,
      reasonableAdjustments: [],
    };
  }
  if (!state) return state; // Events for a complaint never received cannot be folded; the decider never emits them.
  switch (event.type) {
    case 'Acknowledged': {
      const { stage, acknowledgedAt: at, complaintDefinition: definition, outcomesSought, handler, responsibilityNotes } = event.data;
      return updateStage(state, stage, (record) => ({
        ...record,
        acknowledgement: { at, definition, outcomesSought, handler, responsibilityNotes },
        handlers: withHandler(record.handlers, handler, at),
      }));
    }
    case 'Extended': {
      const { stage, complaintId: _id, ...extension } = event.data;
      return updateStage(state, stage, (record) => ({
        ...record,
        extensions: [...record.extensions, extension],
      }));
    }
    case 'Escalated':
      return { ...state, stage2: { ...emptyStage, requestedAt: event.data.requestedAt, reason: event.data.reason } };
    case 'Responded': {
      const { stage, respondedAt: at, complaintId: _id, handler, ...response } = event.data;
      return updateStage(state, stage, (record) => ({
        ...record,
        response: { ...response, at, handler },
        handlers: withHandler(record.handlers, handler, at),
      }));
    }
    case 'RemedyOffered': {
      const { complaintId: _id, ...remedy } = event.data;
      return { ...state, remedies: [...state.remedies, remedy] };
    }
    case 'RemedyCompleted': {
      const { remedyId, completedAt } = event.data;
      const remedies = state.remedies.map((remedy) => (remedy.remedyId === remedyId ? { ...remedy, completedAt } : remedy));
      return { ...state, remedies };
    }
    case 'ComplaintNotAccepted': {
      const { complaintId: _id, ...decided } = event.data;
      return { ...state, nonAcceptance: decided };
    }
    case 'EscalationRefused': {
      const { complaintId: _id, ...decided } = event.data;
      return { ...state, escalationRefusal: decided };
    }
    case 'CorrespondenceRecorded':
      return { ...state, correspondenceCount: state.correspondenceCount + 1 };
    case 'ReasonableAdjustmentRecorded': {
      const { recordedAt, adjustment, reviewBy } = event.data;
      return { ...state, reasonableAdjustments: [...state.reasonableAdjustments, { recordedAt, adjustment, reviewBy }] };
    }
    case 'RepresentativeAuthorised': {
      const { consentReceivedAt, name, relationship } = event.data;
      const representative = { ...state.representative, consentReceivedAt, ...definedOnly({ name, relationship }) };
      return { ...state, representative };
    }
    case 'HandlerAssigned': {
      const { stage, assignedAt, handler } = event.data;
      return updateStage(state, stage, (record) => ({
        ...record,
        handlers: withHandler(record.handlers, handler, assignedAt),
      }));
    }
    case 'ComplaintWithdrawn':
      return { ...state, withdrawal: { withdrawnAt: event.data.withdrawnAt, reason: event.data.reason } };
    case 'DeadlineBreached':
    case 'DeadlineApproaching': {
      const alerts = state.alerts ?? { breached: [], approaching: [] };
      const which = event.type === 'DeadlineBreached' ? 'breached' : 'approaching';
      return { ...state, alerts: { ...alerts, [which]: [...alerts[which], event.data.deadlineKey] } };
    }
    case 'PersonalDataErased':
      return { ...state, personalDataErasedAt: state.personalDataErasedAt ?? event.data.erasedAt };
  }
}

/** Folds a whole stream; `evolve` applied one event at a time gives the same state. */
export function foldEvents(events: readonly ComplaintEvent[], from: State = initialState): State {
  return events.reduce(evolve, from);
}

function updateStage(state: ComplaintState, stage: Stage, change: (record: StageRecord) => StageRecord): ComplaintState {
  if (stage === 1) return { ...state, stage1: change(state.stage1) };
  if (!state.stage2) return state;
  return { ...state, stage2: { ...state.stage2, ...change(state.stage2) } };
}

function withHandler(handlers: StageRecord['handlers'], handler: string | undefined, at: Instant): StageRecord['handlers'] {
  return handler ? [...handlers, { handler, at }] : handlers;
}
