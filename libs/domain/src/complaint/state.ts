import type { Instant, LocalDate } from '../calendar/london-time';
import type { CodeVersion, Stage } from '../policy/code-policy';
import { isAfter } from '../calendar/london-time';
import {
  isPersonFact,
  occurredAtOf,
  type ComplaintEvent,
  type DocumentAttached,
  type FactCorrected,
  type Representative,
  type RemedyTerms,
  type Resident,
} from './events';
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

/** A document on the complaint's record, at the revision that attached it. */
export type DocumentRecord = Omit<DocumentAttached['data'], 'complaintId'> & { readonly revision: number };

/** A fact people recorded, at its revision in the complaint's stream (as corrected, if it was). */
export interface RecordedFact {
  readonly revision: number;
  readonly event: ComplaintEvent;
}

/** A correction as the record keeps it: which fact, of what type, when, and whether it was voided. */
export interface CorrectionRecord {
  readonly revision: number;
  readonly correctedRevision: number;
  readonly correctedType: string;
  readonly correctedAt: Instant;
  readonly voided: boolean;
}

/** Deadline keys the ledger has alerted on, in order; a key may recur once its breach was retracted. */
export interface AlertRecord {
  readonly breached: readonly string[];
  readonly approaching: readonly string[];
  readonly retracted?: readonly string[];
  /** What each breach on record cited, for its retraction. */
  readonly cited?: Readonly<Record<string, { readonly provision: string; readonly codeVersion: CodeVersion }>>;
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
  /** Documents attached, in the order they were (kept through corrections: they are not corrected). */
  readonly documents?: readonly DocumentRecord[];
  readonly reasonableAdjustments: readonly { readonly recordedAt: Instant; readonly adjustment: string; readonly reviewBy?: LocalDate }[];
  /** When the resident's personal data was erased (its fields then read `[erased]`). */
  readonly personalDataErasedAt?: Instant;
  /** Deadline keys the ledger has already alerted on (and retracted), so each alert is recorded once. */
  readonly alerts?: AlertRecord;
  /** Events folded so far: the revision the next event in the stream will have. */
  readonly eventCount: number;
  /** The facts people recorded, as corrected: what a correction or a business-time view folds again. */
  readonly facts: readonly RecordedFact[];
  readonly corrections: readonly CorrectionRecord[];
}

/** Before `ComplaintReceived` there is no complaint. */
export type State = ComplaintState | null;

export const initialState: State = null;

/** Every status a complaint can have, in the order a complaint may reach them. */
export const COMPLAINT_STATUSES = ['open', 'responded', 'closed', 'escalation_refused', 'not_accepted', 'withdrawn'] as const;

export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

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

/**
 * One event folded into the complaint. A correction folds the corrected facts again from the start
 * (keeping what the ledger recorded itself: alerts, erasure), so every view follows the facts as
 * corrected while the stream keeps both.
 */
export function evolve(state: State, event: ComplaintEvent): State {
  const revision = state?.eventCount ?? 0;
  if (event.type === 'FactCorrected') return state && corrected(state, event.data, revision);
  if (event.type === 'DocumentAttached') {
    if (!state) return state;
    const { complaintId: _id, ...document } = event.data;
    return { ...state, documents: [...(state.documents ?? []), { ...document, revision }], eventCount: revision + 1 };
  }
  const next = apply(state, event);
  if (!next) return next;
  const facts = isPersonFact(event) ? [...(state?.facts ?? []), { revision, event }] : next.facts;
  return { ...next, eventCount: revision + 1, facts };
}

function corrected(state: ComplaintState, correction: FactCorrected['data'], revision: number): ComplaintState {
  const { correctedRevision, replacement } = correction;
  const facts = state.facts.flatMap((fact) => {
    if (fact.revision !== correctedRevision) return [fact];
    return replacement ? [{ revision: fact.revision, event: { type: fact.event.type, data: replacement } as ComplaintEvent }] : [];
  });
  const record: CorrectionRecord = {
    revision,
    correctedRevision,
    correctedType: correction.correctedType,
    correctedAt: correction.correctedAt,
    voided: !replacement,
  };
  return withFacts(state, facts, { eventCount: revision + 1, corrections: [...state.corrections, record] }) ?? state;
}

/** The complaint folded again from `facts` alone, keeping what the ledger recorded itself. */
export function withFacts(
  state: ComplaintState,
  facts: readonly RecordedFact[],
  kept: Partial<ComplaintState> = {},
): ComplaintState | null {
  let folded: State = null;
  for (const fact of facts) folded = apply(folded, fact.event);
  if (!folded) return null;
  const { alerts, personalDataErasedAt, eventCount, corrections, documents } = state;
  return definedOnly({ ...folded, alerts, personalDataErasedAt, eventCount, corrections, documents, ...kept, facts }) as ComplaintState;
}

/**
 * The complaint as it stood at business time `asOf`: only the facts (as corrected) whose own dates
 * are on or before it. Null when it had not been received by then.
 */
export function complaintAsOf(state: ComplaintState, asOf: Instant): State {
  const known = state.facts.filter((fact) => !isAfter(occurredAtOf(fact.event), asOf));
  return known.length === state.facts.length ? state : withFacts(state, known);
}

function apply(state: State, event: ComplaintEvent): State {
  if (event.type === 'ComplaintReceived') {
    const { complaintId, ...data } = event.data;
    return {
      complaintId,
      ...data,
      stage1: emptyStage,
      remedies: [],
      correspondenceCount: 0,
      reasonableAdjustments: [],
      eventCount: 0,
      facts: [],
      corrections: [],
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
    case 'DeadlineApproaching':
    case 'BreachRetracted': {
      const alerts = state.alerts ?? { breached: [], approaching: [] };
      const which = event.type === 'DeadlineBreached' ? 'breached' : event.type === 'DeadlineApproaching' ? 'approaching' : 'retracted';
      const { deadlineKey, provision, codeVersion } = event.data;
      const cited = event.type === 'DeadlineBreached' ? { cited: { ...alerts.cited, [deadlineKey]: { provision, codeVersion } } } : {};
      return { ...state, alerts: { ...alerts, [which]: [...(alerts[which] ?? []), deadlineKey], ...cited } };
    }
    case 'PersonalDataErased':
      return { ...state, personalDataErasedAt: state.personalDataErasedAt ?? event.data.erasedAt };
    case 'FactCorrected':
    case 'DocumentAttached':
      return state; // folded by evolve, which knows the revisions
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
