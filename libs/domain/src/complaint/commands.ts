import type { Instant, LocalDate } from '../calendar/london-time';
import type { Stage } from '../policy/code-policy';
import type { PersonFactType, Representative, RemedyTerms, Resident } from './events';
import type { Channel, Decision, Direction, DocumentKind, DocumentMediaType, ExclusionGround, Party, Tenure } from './vocabulary';

type Command<Type extends string, Data> = { readonly type: Type; readonly data: Data };

/** Instants in commands are ISO-8601 strings; the decider normalises them to UTC. */
export type ReceiveComplaint = Command<
  'ReceiveComplaint',
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

export type AcknowledgeComplaint = Command<
  'AcknowledgeComplaint',
  {
    stage: Stage;
    acknowledgedAt: Instant;
    complaintDefinition: string;
    outcomesSought?: string;
    handler?: string;
    responsibilityNotes?: string;
  }
>;

export type ExtendDeadline = Command<
  'ExtendDeadline',
  {
    stage: Stage;
    notifiedAt: Instant;
    newDeadline: LocalDate;
    reason: string;
    ombudsmanDetailsGiven: boolean;
    goodReason?: string;
  }
>;

export type EscalateComplaint = Command<'EscalateComplaint', { requestedAt: Instant; reason?: string }>;

export type RespondToComplaint = Command<
  'RespondToComplaint',
  {
    stage: Stage;
    respondedAt: Instant;
    decision: Decision;
    reasons?: string;
    remedies?: RemedyTerms[];
    outstandingActions?: string[];
    escalationRightsGiven: boolean;
    handler?: string;
    /** Documents already attached to the complaint that the response is (its letter, a report it relies on). */
    documentIds?: string[];
  }
>;

export type OfferRemedy = Command<'OfferRemedy', RemedyTerms & { offeredAt: Instant }>;

export type CompleteRemedy = Command<'CompleteRemedy', { remedyId: string; completedAt: Instant; notes?: string }>;

export type RecordNonAcceptance = Command<
  'RecordNonAcceptance',
  { decidedAt: Instant; ground: ExclusionGround; explanation: string; ombudsmanRightExplained: boolean }
>;

export type RefuseEscalation = Command<
  'RefuseEscalation',
  { decidedAt: Instant; ground: ExclusionGround; explanation: string; ombudsmanRightExplained: boolean }
>;

export type RecordCorrespondence = Command<
  'RecordCorrespondence',
  {
    occurredAt: Instant;
    direction: Direction;
    party: Party;
    channel: Channel;
    summary: string;
    documentRef?: string;
    /** Documents already attached to the complaint that this correspondence is or encloses. */
    documentIds?: string[];
  }
>;

/**
 * Attach a document to the complaint's record (Code 5.12): its bytes are already stored,
 * encrypted, under `documentId`; this records what they are. `sha256` and `bytes` are of the
 * document itself, `storedSha256` of what the document store holds (the encrypted form), so the
 * store can be checked without any key, and a document's own hash by anyone given it.
 */
export type AttachDocument = Command<
  'AttachDocument',
  {
    documentId: string;
    sha256: string;
    storedSha256: string;
    bytes: number;
    mediaType: DocumentMediaType;
    title: string;
    kind: DocumentKind;
    direction: Direction;
    /** The document's own date: when the letter was sent or received, the report written, the photo taken. */
    dated: Instant;
  }
>;

export type RecordReasonableAdjustment = Command<
  'RecordReasonableAdjustment',
  { recordedAt: Instant; adjustment: string; disclosedNeeds?: string; reviewBy?: LocalDate }
>;

export type AuthoriseRepresentative = Command<
  'AuthoriseRepresentative',
  { consentReceivedAt: Instant; name?: string; relationship?: string }
>;

export type AssignHandler = Command<'AssignHandler', { stage: Stage; assignedAt: Instant; handler: string }>;

export type WithdrawComplaint = Command<'WithdrawComplaint', { withdrawnAt: Instant; reason?: string }>;

/**
 * Correct a fact people recorded, named by its revision in the complaint's stream: replace it with
 * `replacement` (the command that would have recorded it right) or void it. The reason is required.
 */
export type CorrectFact = Command<'CorrectFact', { revision: number; reason: string; replacement?: PersonCommand; void?: boolean }>;

/**
 * Commands the ledger gives itself. They go through the same decider and write path as those
 * people send, so their rules are specified alike; they are not offered over HTTP as commands.
 */

/** The deadline detector: record the alerts due on this complaint at `asOf` (breached, approaching). */
export type RecordDeadlineAlerts = Command<'RecordDeadlineAlerts', { asOf: Instant }>;

/** Erasure (a resident's request, or retention): record that their data key was destroyed. */
export type ErasePersonalData = Command<
  'ErasePersonalData',
  { residentReference: string; erasedAt: Instant; ground: 'request' | 'retention' }
>;

/** Commands that record a fact people recorded (the ones a correction can replace). */
export type PersonCommand =
  | ReceiveComplaint
  | AcknowledgeComplaint
  | ExtendDeadline
  | EscalateComplaint
  | RespondToComplaint
  | OfferRemedy
  | CompleteRemedy
  | RecordNonAcceptance
  | RefuseEscalation
  | RecordCorrespondence
  | RecordReasonableAdjustment
  | AuthoriseRepresentative
  | AssignHandler
  | WithdrawComplaint;

/** Commands people send that are not a correctable fact's: a document's bytes are what they are (a wrong one is explained by another fact). */
export type ComplaintCommand = CorrectFact | PersonCommand | AttachDocument | RecordDeadlineAlerts | ErasePersonalData;

/** The command that records each kind of fact people record: what a correction's replacement is. */
export const COMMAND_RECORDING: { readonly [T in PersonFactType]: PersonCommand['type'] } = {
  ComplaintReceived: 'ReceiveComplaint',
  Acknowledged: 'AcknowledgeComplaint',
  Extended: 'ExtendDeadline',
  Escalated: 'EscalateComplaint',
  Responded: 'RespondToComplaint',
  RemedyOffered: 'OfferRemedy',
  RemedyCompleted: 'CompleteRemedy',
  ComplaintNotAccepted: 'RecordNonAcceptance',
  EscalationRefused: 'RefuseEscalation',
  CorrespondenceRecorded: 'RecordCorrespondence',
  ReasonableAdjustmentRecorded: 'RecordReasonableAdjustment',
  RepresentativeAuthorised: 'AuthoriseRepresentative',
  HandlerAssigned: 'AssignHandler',
  ComplaintWithdrawn: 'WithdrawComplaint',
};
