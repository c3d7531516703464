import type { Instant, LocalDate } from '../calendar/london-time';
import type { CodeVersion, Stage } from '../policy/code-policy';
import type {
  Channel,
  DeadlineKind,
  Decision,
  Direction,
  DocumentKind,
  DocumentMediaType,
  ExclusionGround,
  Party,
  RemedyType,
  Tenure,
} from './vocabulary';

/** The version of the event payloads below, recorded in each event's metadata. */
export const EVENT_SCHEMA_VERSION = 1;

export interface Resident {
  readonly reference: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly address?: string;
}

export interface Representative {
  readonly name?: string;
  readonly relationship?: string;
  /** When the resident's consent for the representative was received (decision 0006). */
  readonly consentReceivedAt?: Instant;
}

export interface RemedyTerms {
  readonly type: RemedyType;
  readonly description: string;
  readonly amountPence?: number;
  /** When the remedy must be completed by (Code 7.3). */
  readonly dueBy?: LocalDate;
}

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type ComplaintReceived = Event<
  'ComplaintReceived',
  {
    complaintId: string;
    receivedAt: Instant;
    channel: Channel;
    tenure: Tenure;
    category: string;
    summary: string;
    resident: Resident;
    outcomeSought?: string;
    representative?: Representative;
    issueOccurredAt?: Instant;
    residentAwareAt?: Instant;
    relatedServiceRequest?: string;
  }
>;

export type Acknowledged = Event<
  'Acknowledged',
  {
    complaintId: string;
    stage: Stage;
    acknowledgedAt: Instant;
    complaintDefinition: string;
    outcomesSought?: string;
    handler?: string;
    responsibilityNotes?: string;
  }
>;

export type Extended = Event<
  'Extended',
  {
    complaintId: string;
    stage: Stage;
    notifiedAt: Instant;
    newDeadline: LocalDate;
    reason: string;
    ombudsmanDetailsGiven: boolean;
    goodReason?: string;
  }
>;

export type Escalated = Event<'Escalated', { complaintId: string; requestedAt: Instant; reason?: string }>;

export type Responded = Event<
  'Responded',
  {
    complaintId: string;
    stage: Stage;
    respondedAt: Instant;
    decision: Decision;
    /** Absent or blank: the response gave no reasons (recorded, and a finding: Code 6.9(d)/6.19(d)). */
    reasons?: string;
    /** Ids of the RemedyOffered events recorded with this response. */
    remedyIds: string[];
    /** Absent means the response did not state them; an empty list means none (Code 6.9(f)). */
    outstandingActions?: string[];
    escalationRightsGiven: boolean;
    handler?: string;
    /** Documents attached to the complaint that the response is or relies on. */
    documentIds?: string[];
  }
>;

export type RemedyOffered = Event<
  'RemedyOffered',
  RemedyTerms & { complaintId: string; remedyId: string; offeredAt: Instant; stage: Stage }
>;

export type RemedyCompleted = Event<'RemedyCompleted', { complaintId: string; remedyId: string; completedAt: Instant; notes?: string }>;

export type ComplaintNotAccepted = Event<
  'ComplaintNotAccepted',
  {
    complaintId: string;
    decidedAt: Instant;
    ground: ExclusionGround;
    explanation: string;
    ombudsmanRightExplained: boolean;
  }
>;

export type EscalationRefused = Event<
  'EscalationRefused',
  {
    complaintId: string;
    decidedAt: Instant;
    ground: ExclusionGround;
    explanation: string;
    ombudsmanRightExplained: boolean;
  }
>;

export type CorrespondenceRecorded = Event<
  'CorrespondenceRecorded',
  {
    complaintId: string;
    occurredAt: Instant;
    direction: Direction;
    party: Party;
    channel: Channel;
    summary: string;
    documentRef?: string;
    /** Documents attached to the complaint that this correspondence is or encloses. */
    documentIds?: string[];
  }
>;

/**
 * A document became part of the complaint's record (Code 5.12): a letter, an e-mail, a report, a
 * survey, a photo. Its bytes are kept encrypted under the resident's data key in the document
 * store, named by `documentId`; `sha256` is the document's own hash (anyone given the document
 * can check it), `storedSha256` the hash of its encrypted form (the store can be checked without
 * any key, and after erasure). Not correctable: the bytes are what they are.
 */
export type DocumentAttached = Event<
  'DocumentAttached',
  {
    complaintId: string;
    documentId: string;
    sha256: string;
    storedSha256: string;
    bytes: number;
    mediaType: DocumentMediaType;
    title: string;
    kind: DocumentKind;
    direction: Direction;
    dated: Instant;
  }
>;

export type ReasonableAdjustmentRecorded = Event<
  'ReasonableAdjustmentRecorded',
  { complaintId: string; recordedAt: Instant; adjustment: string; disclosedNeeds?: string; reviewBy?: LocalDate }
>;

export type RepresentativeAuthorised = Event<
  'RepresentativeAuthorised',
  { complaintId: string; consentReceivedAt: Instant; name?: string; relationship?: string }
>;

export type HandlerAssigned = Event<'HandlerAssigned', { complaintId: string; stage: Stage; assignedAt: Instant; handler: string }>;

export type ComplaintWithdrawn = Event<'ComplaintWithdrawn', { complaintId: string; withdrawnAt: Instant; reason?: string }>;

/** Which deadline an alert is about; `deadlineKey` names it uniquely within the complaint. */
export interface DeadlineAlert {
  complaintId: string;
  deadlineKey: string;
  kind: DeadlineKind;
  stage: Stage;
  remedyId?: string;
  dueAt: Instant;
  provision: string;
  codeVersion: CodeVersion;
}

/**
 * The ledger found a deadline not met on time (Code 5.12): its due instant passed with it unmet
 * (the sweep), or a fact recorded later shows it was met late (`metAt`). Recorded once per
 * deadline; `recurrence` (absent for the first) counts earlier breaches of the same deadline that
 * were retracted, so a deadline breached again after a correction is a new fact, not a duplicate.
 */
export type DeadlineBreached = Event<
  'DeadlineBreached',
  DeadlineAlert & {
    detectedAt: Instant;
    metAt?: Instant;
    /** Working days late when detected: from the due instant to `metAt`, or while unmet to `detectedAt` (or the end of the complaint's clocks; decisions 0001, 0002). Absent from breaches recorded before it was counted. */
    workingDaysLate?: number;
    recurrence?: number;
  }
>;

/** Why a recorded breach no longer holds on the facts as the ledger now knows them. */
export type RetractionReason = 'met_on_time' | 'deadline_moved' | 'no_longer_due';

/**
 * A recorded breach is disproved by facts recorded after it (an on-time acknowledgement synced
 * late, a correction): the breach stays in the log, and this says it no longer holds.
 */
export type BreachRetracted = Event<
  'BreachRetracted',
  DeadlineAlert & { retractedAt: Instant; reason: RetractionReason; recurrence?: number }
>;

/** The ledger warned that a deadline is near (a configurable number of working days ahead). */
export type DeadlineApproaching = Event<'DeadlineApproaching', DeadlineAlert & { warnedAt: Instant; workingDaysLeft: number }>;

/**
 * The resident's personal data was erased (UK GDPR erasure, or the retention period ran out): the
 * key it was encrypted under is destroyed, so the ledger's copies can no longer be read. Dates,
 * deadlines, findings and statistics are untouched (Code 5.12's record stays complete).
 */
export type PersonalDataErased = Event<
  'PersonalDataErased',
  { complaintId: string; residentReference: string; erasedAt: Instant; ground: 'request' | 'retention' }
>;

/**
 * A fact people recorded is corrected: replaced by `replacement` (the same type's data, as decided
 * afresh) or, without one, voided. The corrected event stays in the log; every view, deadline,
 * finding and statistic then uses the corrected facts (decision 0016).
 */
export type FactCorrected = Event<
  'FactCorrected',
  {
    complaintId: string;
    correctedRevision: number;
    correctedType: PersonFactType;
    reason: string;
    correctedAt: Instant;
    replacement?: ComplaintEvent['data'];
  }
>;

/** Facts people record (and can correct); the rest the ledger records itself, or are corrections. */
export type PersonFactType = Exclude<
  ComplaintEventType,
  'DeadlineBreached' | 'DeadlineApproaching' | 'BreachRetracted' | 'PersonalDataErased' | 'FactCorrected' | 'DocumentAttached'
>;

export type ComplaintEvent =
  | ComplaintReceived
  | Acknowledged
  | Extended
  | Escalated
  | Responded
  | RemedyOffered
  | RemedyCompleted
  | ComplaintNotAccepted
  | EscalationRefused
  | CorrespondenceRecorded
  | DocumentAttached
  | ReasonableAdjustmentRecorded
  | RepresentativeAuthorised
  | HandlerAssigned
  | ComplaintWithdrawn
  | DeadlineBreached
  | DeadlineApproaching
  | BreachRetracted
  | PersonalDataErased
  | FactCorrected;

export type ComplaintEventType = ComplaintEvent['type'];

/**
 * When each kind of fact happened in the world (business time, as opposed to the store's
 * recordedAt). Keyed by every event type: a new member of the union is a compile error here until
 * it says where its date is, and the list of event types below is derived from these keys.
 */
const OCCURRED_AT: { readonly [T in ComplaintEventType]: (data: Extract<ComplaintEvent, { type: T }>['data']) => Instant } = {
  ComplaintReceived: (data) => data.receivedAt,
  Acknowledged: (data) => data.acknowledgedAt,
  Extended: (data) => data.notifiedAt,
  Escalated: (data) => data.requestedAt,
  Responded: (data) => data.respondedAt,
  RemedyOffered: (data) => data.offeredAt,
  RemedyCompleted: (data) => data.completedAt,
  ComplaintNotAccepted: (data) => data.decidedAt,
  EscalationRefused: (data) => data.decidedAt,
  CorrespondenceRecorded: (data) => data.occurredAt,
  DocumentAttached: (data) => data.dated,
  ReasonableAdjustmentRecorded: (data) => data.recordedAt,
  RepresentativeAuthorised: (data) => data.consentReceivedAt,
  HandlerAssigned: (data) => data.assignedAt,
  ComplaintWithdrawn: (data) => data.withdrawnAt,
  DeadlineBreached: (data) => data.detectedAt,
  DeadlineApproaching: (data) => data.warnedAt,
  BreachRetracted: (data) => data.retractedAt,
  PersonalDataErased: (data) => data.erasedAt,
  FactCorrected: (data) => data.correctedAt,
};

/** What the ledger records itself, on its own clock and authority: its alerts and the erasure of personal data. */
const LEDGER_FACTS: ReadonlySet<string> = new Set<ComplaintEventType>([
  'DeadlineBreached',
  'DeadlineApproaching',
  'BreachRetracted',
  'PersonalDataErased',
]);

// a document is recorded by people but is not a fact a correction replaces: its bytes are what they are
const SYSTEM_OR_CORRECTION: ReadonlySet<string> = new Set([...LEDGER_FACTS, 'FactCorrected', 'DocumentAttached']);

/** Whether the ledger recorded the event itself (an alert, an erasure) rather than a housing system or a person. */
export const isLedgerFact = (type: string): boolean => LEDGER_FACTS.has(type);

/**
 * The revision a housing system's concurrency token names (ETag, If-Match): the complaint's last
 * event that is not one of the ledger's own facts. An alert the sweep records, or an erasure, does
 * not change what a housing system decided on, so it does not move the token (docs/integration.md).
 * -1 before the first event.
 */
export function concurrencyRevisionOf(events: readonly { readonly type: string; readonly revision: number }[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (!isLedgerFact(events[i]!.type)) return events[i]!.revision;
  return -1;
}

/** Whether people recorded the fact and it can be corrected (not the ledger's own, a correction, or a document). */
export const isPersonFact = (event: ComplaintEvent): event is Extract<ComplaintEvent, { type: PersonFactType }> =>
  !SYSTEM_OR_CORRECTION.has(event.type);

/** Every event type, derived from the union through OCCURRED_AT (never a hand-kept list). */
export const COMPLAINT_EVENT_TYPES = Object.keys(OCCURRED_AT) as readonly ComplaintEventType[];

/**
 * A stored event (any store's record: a type and its data) read back as a complaint event. The
 * store holds only events this domain wrote, so the type names one of the union's members.
 */
export const complaintEventOf = (stored: { readonly type: string; readonly data: object }): ComplaintEvent =>
  ({ type: stored.type, data: stored.data }) as ComplaintEvent;

/** When the fact happened in the world (business time, as opposed to the store's recordedAt). */
export function occurredAtOf(event: ComplaintEvent): Instant {
  return (OCCURRED_AT[event.type] as (data: ComplaintEvent['data']) => Instant)(event.data);
}

/**
 * Facts the ledger records at most once per complaint, named by what makes them unique: an alert
 * per deadline (and due instant), an erasure per resident. The write path derives such an event's
 * id from this key, so two writers racing to record the same fact collide in the store instead of
 * recording it twice. Facts people record have no such key (two identical letters are two letters).
 */
export function onceOnlyKeyOf(event: ComplaintEvent): string | undefined {
  switch (event.type) {
    case 'DeadlineBreached':
      return `${event.type}|${event.data.deadlineKey}${event.data.recurrence ? `|${event.data.recurrence}` : ''}`;
    case 'DeadlineApproaching':
      return `${event.type}|${event.data.deadlineKey}`;
    case 'BreachRetracted':
      return `${event.type}|${event.data.deadlineKey}|${event.data.recurrence ?? 0}`;
    case 'PersonalDataErased':
      return `PersonalDataErased|${event.data.residentReference}`;
    default:
      return undefined;
  }
}
