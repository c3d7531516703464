import { londonDateOf } from '../calendar/london-time';
import { alertsDue } from '../compliance/alerts';
import { stagePolicy, type Stage } from '../policy/code-policy';
import { cite, escalationCode, remedyCode, stageCode } from './citations';
import type * as C from './commands';
import { COMMAND_RECORDING } from './commands';
import { personalDataInClear } from './personal-data-in-clear';
import type { DecisionContext } from './context';
import { DomainError, isDomainError } from './errors';
import type { ComplaintEvent, RemedyOffered, RemedyTerms } from './events';
import { correctFact } from './corrections';
import {
  checkDate,
  checkInstant,
  escalationRefused,
  notBeforeReceipt,
  requireActive,
  requireComplaint,
  requireNotResponded,
  requireStage,
  stage1NotResponded,
} from './guards';
import { definedOnly } from './defined-only';
import { currentStage, statusOf, type ComplaintState, type State } from './state';
import { normaliseResidentReference, residentReferenceProblem } from './resident-reference';
import { DIRECTIONS, DOCUMENT_KINDS, DOCUMENT_MEDIA_TYPES, MAX_REMEDY_PENCE } from './vocabulary';

export type DecideResult = ComplaintEvent[] | DomainError;

const PERSON_COMMANDS: ReadonlySet<string> = new Set(Object.values(COMMAND_RECORDING));
const isPersonCommand = (command: C.ComplaintCommand): command is C.PersonCommand => PERSON_COMMANDS.has(command.type);

/**
 * A clear-text field holding what is recognisably personal data: it would be kept readable for
 * good, published on Kafka and never erased, so the fact is refused until it is given where the
 * ledger protects it (personal-data-in-clear.ts).
 */
const personalDataRefused = (field: string, looksLike: string) =>
  new DomainError(
    'PERSONAL_DATA.IN_CLEAR',
    'invalid',
    `${field} looks like it holds ${looksLike}; the ledger keeps ${field} in clear (never encrypted, never erased, published), so it must not carry personal data: put it in a field the ledger protects (docs/integration.md)`,
    { field },
  );

/**
 * Decides what a command records. Refuses only what cannot have happened; whatever the Code
 * forbids but did happen is recorded and surfaces as a finding (see compliance/assess).
 */
export function decide(command: C.ComplaintCommand, state: State, context: DecisionContext): DecideResult {
  const exposed = isPersonCommand(command) ? personalDataInClear(command.type, command.data) : null;
  if (exposed) return personalDataRefused(exposed.field, exposed.looksLike);
  if (command.type === 'ReceiveComplaint') return receive(command, state, context);
  const complaint = requireComplaint(state);
  if (isDomainError(complaint)) return complaint;
  switch (command.type) {
    case 'CorrectFact':
      return correctFact(command, complaint, context, decide);
    case 'AcknowledgeComplaint':
      return acknowledge(command, complaint, context);
    case 'ExtendDeadline':
      return extend(command, complaint, context);
    case 'EscalateComplaint':
      return escalate(command, complaint, context);
    case 'RespondToComplaint':
      return respond(command, complaint, context);
    case 'OfferRemedy':
      return offerRemedy(command, complaint, context);
    case 'CompleteRemedy':
      return completeRemedy(command, complaint, context);
    case 'RecordNonAcceptance':
      return recordNonAcceptance(command, complaint, context);
    case 'RefuseEscalation':
      return refuseEscalation(command, complaint, context);
    case 'RecordCorrespondence':
      return recordCorrespondence(command, complaint, context);
    case 'AttachDocument':
      return attachDocument(command, complaint, context);
    case 'RecordReasonableAdjustment':
      return recordReasonableAdjustment(command, complaint, context);
    case 'AuthoriseRepresentative':
      return authoriseRepresentative(command, complaint, context);
    case 'AssignHandler':
      return assignHandler(command, complaint, context);
    case 'WithdrawComplaint':
      return withdraw(command, complaint, context);
    case 'RecordDeadlineAlerts':
      return recordDeadlineAlerts(command, complaint, context);
    case 'ErasePersonalData':
      return erasePersonalData(command, complaint, context);
    default:
      return unreachable(command);
  }
}

function receive({ data }: C.ReceiveComplaint, state: State, context: DecisionContext): DecideResult {
  if (state) return new DomainError('COMPLAINT.ALREADY_EXISTS', 'conflict', `complaint ${data.complaintId} has already been received`);
  const badReference = residentReferenceProblem(data.resident.reference);
  if (badReference) return new DomainError('RESIDENT.REFERENCE_INVALID', 'invalid', badReference, { field: 'resident.reference' });
  const receivedAt = checkInstant('receivedAt', data.receivedAt, context);
  if (isDomainError(receivedAt)) return receivedAt;
  // The issue, and the resident's awareness of it, come before the complaint about it (the 2024 Code's 2.3:
  // a complaint not yet received has no Code version of its own, decision 0019).
  const notAfterReceipt = (field: 'issueOccurredAt' | 'residentAwareAt', value?: string) => {
    if (value === undefined) return undefined;
    const instant = checkInstant(field, value, context);
    if (isDomainError(instant) || instant <= receivedAt) return instant;
    return new DomainError('INSTANT.AFTER_RECEIPT', 'invalid', `${field} cannot be after the complaint was received`, { field });
  };
  const issueOccurredAt = notAfterReceipt('issueOccurredAt', data.issueOccurredAt);
  if (isDomainError(issueOccurredAt)) return issueOccurredAt;
  const residentAwareAt = notAfterReceipt('residentAwareAt', data.residentAwareAt);
  if (isDomainError(residentAwareAt)) return residentAwareAt;
  let representative = data.representative;
  if (representative?.consentReceivedAt !== undefined) {
    const consentReceivedAt = checkInstant('representative.consentReceivedAt', representative.consentReceivedAt, context);
    if (isDomainError(consentReceivedAt)) return consentReceivedAt;
    representative = { ...representative, consentReceivedAt };
  }
  const resident = { ...data.resident, reference: normaliseResidentReference(data.resident.reference) };
  return [
    {
      type: 'ComplaintReceived',
      data: definedOnly({ ...data, resident, receivedAt, issueOccurredAt, residentAwareAt, representative }),
    },
  ];
}

function acknowledge({ data }: C.AcknowledgeComplaint, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage = requireStage(complaint, data.stage);
  if (isDomainError(stage)) return stage;
  if (stage.record.acknowledgement) {
    // the stage's acknowledgement timescale (6.2 / 6.11); none under a Code that set none for stage 2 (decision 0004)
    return new DomainError('STAGE.ALREADY_ACKNOWLEDGED', 'conflict', `stage ${data.stage} has already been acknowledged`, {
      field: 'stage',
      ...cite(stageCode(complaint, data.stage), (code) => stagePolicy(code, data.stage).acknowledgement?.provision),
    });
  }
  const acknowledgedAt = checkInstant('acknowledgedAt', data.acknowledgedAt, context, stageStart(data.stage, stage.startsAt));
  if (isDomainError(acknowledgedAt)) return acknowledgedAt;
  if (stage.record.response && acknowledgedAt > stage.record.response.at) {
    return new DomainError(
      'STAGE.ACKNOWLEDGED_AFTER_RESPONSE',
      'conflict',
      `stage ${data.stage} was responded to before this acknowledgement`,
      {
        field: 'acknowledgedAt',
      },
    );
  }
  return [{ type: 'Acknowledged', data: definedOnly({ ...data, complaintId: complaint.complaintId, acknowledgedAt }) }];
}

function extend({ data }: C.ExtendDeadline, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage = requireStage(complaint, data.stage);
  if (isDomainError(stage)) return stage;
  const open = requireNotResponded(stage.record, data.stage);
  if (isDomainError(open)) return open;
  const notifiedAt = checkInstant('notifiedAt', data.notifiedAt, context, stageStart(data.stage, stage.startsAt));
  if (isDomainError(notifiedAt)) return notifiedAt;
  const newDeadline = checkDate('newDeadline', data.newDeadline, {
    date: londonDateOf(notifiedAt),
    what: 'the date the extension was notified',
  });
  if (isDomainError(newDeadline)) return newDeadline;
  return [{ type: 'Extended', data: definedOnly({ ...data, complaintId: complaint.complaintId, notifiedAt, newDeadline }) }];
}

function escalate({ data }: C.EscalateComplaint, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage1Response = complaint.stage1.response;
  if (!stage1Response) return stage1NotResponded(complaint, 'a complaint can be escalated only after its stage 1 response');
  if (complaint.escalationRefusal) return escalationRefused(complaint);
  if (complaint.stage2) return new DomainError('ESCALATION.ALREADY_ESCALATED', 'conflict', 'the complaint is already at stage 2');
  const requestedAt = checkInstant('requestedAt', data.requestedAt, context, {
    instant: stage1Response.at,
    code: 'INSTANT.BEFORE_STAGE1_RESPONSE',
    what: 'the stage 1 response',
  });
  if (isDomainError(requestedAt)) return requestedAt;
  return [{ type: 'Escalated', data: definedOnly({ ...data, complaintId: complaint.complaintId, requestedAt }) }];
}

function respond({ data }: C.RespondToComplaint, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage = requireStage(complaint, data.stage);
  if (isDomainError(stage)) return stage;
  const open = requireNotResponded(stage.record, data.stage);
  if (isDomainError(open)) return open;
  const acknowledgement = stage.record.acknowledgement;
  const notBefore = acknowledgement
    ? { instant: acknowledgement.at, code: 'INSTANT.BEFORE_ACKNOWLEDGEMENT', what: `the stage ${data.stage} acknowledgement` }
    : stageStart(data.stage, stage.startsAt);
  const respondedAt = checkInstant('respondedAt', data.respondedAt, context, notBefore);
  if (isDomainError(respondedAt)) return respondedAt;
  const unattached = documentsNotAttached(complaint, data.documentIds);
  if (unattached) return unattached;
  // white space is no reasons: recorded as absent, so the finding (6.9(d)) survives the encryption of free text
  const { remedies = [], reasons, ...response } = data;
  const offered: RemedyOffered[] = [];
  for (const [index, terms] of remedies.entries()) {
    const remedy = remedyOffered(complaint, terms, respondedAt, data.stage, context, `remedies[${index}].`);
    if (isDomainError(remedy)) return remedy;
    offered.push(remedy);
  }
  return [
    {
      type: 'Responded',
      data: definedOnly({
        ...response,
        reasons: reasons?.trim() ? reasons : undefined,
        complaintId: complaint.complaintId,
        respondedAt,
        remedyIds: offered.map((remedy) => remedy.data.remedyId),
      }),
    },
    ...offered,
  ];
}

function offerRemedy({ data }: C.OfferRemedy, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const { offeredAt: offered, ...terms } = data;
  const offeredAt = checkInstant('offeredAt', offered, context, notBeforeReceipt(complaint));
  if (isDomainError(offeredAt)) return offeredAt;
  const remedy = remedyOffered(complaint, terms, offeredAt, currentStage(complaint), context, '');
  return isDomainError(remedy) ? remedy : [remedy];
}

function remedyOffered(
  complaint: ComplaintState,
  terms: RemedyTerms,
  offeredAt: string,
  stage: Stage,
  context: DecisionContext,
  fieldPrefix: string,
): RemedyOffered | DomainError {
  const dueBy =
    terms.dueBy === undefined
      ? undefined
      : checkDate(`${fieldPrefix}dueBy`, terms.dueBy, { date: londonDateOf(offeredAt), what: 'the offer' });
  if (isDomainError(dueBy)) return dueBy;
  const amount = terms.amountPence;
  if (amount !== undefined && !(Number.isSafeInteger(amount) && amount >= 0 && amount <= MAX_REMEDY_PENCE)) {
    return new DomainError(
      'REMEDY.AMOUNT_INVALID',
      'invalid',
      `${fieldPrefix}amountPence must be a whole number of pence from 0 to ${MAX_REMEDY_PENCE}`,
      { field: `${fieldPrefix}amountPence` },
    );
  }
  return {
    type: 'RemedyOffered',
    data: definedOnly({ ...terms, dueBy, complaintId: complaint.complaintId, remedyId: context.newId(), offeredAt, stage }),
  };
}

function completeRemedy({ data }: C.CompleteRemedy, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const remedy = complaint.remedies.find((candidate) => candidate.remedyId === data.remedyId);
  if (!remedy)
    return new DomainError('REMEDY.NOT_FOUND', 'not_found', `no remedy ${data.remedyId} was offered on this complaint`, {
      field: 'remedyId',
    });
  if (remedy.completedAt) {
    return new DomainError(
      'REMEDY.ALREADY_COMPLETED',
      'conflict',
      `remedy ${data.remedyId} was completed on ${remedy.completedAt}`,
      cite(remedyCode(remedy), (code) => code.remedyFollowThroughProvision),
    );
  }
  const completedAt = checkInstant('completedAt', data.completedAt, context, {
    instant: remedy.offeredAt,
    code: 'INSTANT.BEFORE_OFFER',
    what: 'the remedy was offered',
  });
  if (isDomainError(completedAt)) return completedAt;
  return [{ type: 'RemedyCompleted', data: definedOnly({ ...data, complaintId: complaint.complaintId, completedAt }) }];
}

function recordNonAcceptance({ data }: C.RecordNonAcceptance, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  if (complaint.stage1.response) {
    return new DomainError(
      'NON_ACCEPTANCE.AFTER_RESPONSE',
      'conflict',
      'the complaint was answered at stage 1; refuse an escalation instead',
      cite(escalationCode(complaint), (code) => code.escalationRefusalProvision),
    );
  }
  const decidedAt = checkInstant('decidedAt', data.decidedAt, context, notBeforeReceipt(complaint));
  if (isDomainError(decidedAt)) return decidedAt;
  return [{ type: 'ComplaintNotAccepted', data: { ...data, complaintId: complaint.complaintId, decidedAt } }];
}

function refuseEscalation({ data }: C.RefuseEscalation, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage1Response = complaint.stage1.response;
  if (!stage1Response) return stage1NotResponded(complaint, 'there is no stage 1 response to escalate from');
  if (complaint.escalationRefusal) return new DomainError('ESCALATION.ALREADY_REFUSED', 'conflict', 'escalation has already been refused');
  if (complaint.stage2?.acknowledgement || complaint.stage2?.response) {
    return new DomainError('ESCALATION.ALREADY_ACCEPTED', 'conflict', 'stage 2 is already under way');
  }
  const since = complaint.stage2
    ? { instant: complaint.stage2.requestedAt, code: 'INSTANT.BEFORE_ESCALATION', what: 'the escalation request' }
    : { instant: stage1Response.at, code: 'INSTANT.BEFORE_STAGE1_RESPONSE', what: 'the stage 1 response' };
  const decidedAt = checkInstant('decidedAt', data.decidedAt, context, since);
  if (isDomainError(decidedAt)) return decidedAt;
  return [{ type: 'EscalationRefused', data: { ...data, complaintId: complaint.complaintId, decidedAt } }];
}

function recordCorrespondence({ data }: C.RecordCorrespondence, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const occurredAt = checkInstant('occurredAt', data.occurredAt, context, notBeforeReceipt(complaint));
  if (isDomainError(occurredAt)) return occurredAt;
  const unattached = documentsNotAttached(complaint, data.documentIds);
  if (unattached) return unattached;
  return [{ type: 'CorrespondenceRecorded', data: definedOnly({ ...data, complaintId: complaint.complaintId, occurredAt }) }];
}

/** A fact names documents by id: each must already be on the complaint's record (attach it first). */
function documentsNotAttached(complaint: ComplaintState, documentIds: readonly string[] | undefined): DomainError | null {
  const missing = documentIds?.find((id) => !complaint.documents?.some((document) => document.documentId === id));
  return missing === undefined
    ? null
    : new DomainError('DOCUMENT.NOT_ATTACHED', 'invalid', `document ${missing} is not attached to this complaint`, {
        field: 'documentIds',
      });
}

const SHA256 = /^[0-9a-f]{64}$/;
const MAX_TITLE = 300;

/**
 * A document on the complaint's record (Code 5.12). Documents may come at any time, before the
 * complaint (a survey that led to it) or after it closed (the Ombudsman's letters): only the future
 * is refused. The bytes were stored by the edge; what is decided here is what they are.
 */
function attachDocument({ data }: C.AttachDocument, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const invalid = (field: string, message: string) => new DomainError('DOCUMENT.INVALID', 'invalid', message, { field });
  if (complaint.documents?.some((document) => document.documentId === data.documentId))
    return new DomainError('DOCUMENT.ALREADY_ATTACHED', 'conflict', `document ${data.documentId} is already attached`);
  if (!SHA256.test(data.sha256)) return invalid('sha256', 'sha256 must be 64 lower-case hex digits');
  if (!SHA256.test(data.storedSha256)) return invalid('storedSha256', 'storedSha256 must be 64 lower-case hex digits');
  if (!Number.isSafeInteger(data.bytes) || data.bytes < 1) return invalid('bytes', 'a document has at least one byte');
  if (!(DOCUMENT_MEDIA_TYPES as readonly string[]).includes(data.mediaType))
    return invalid('mediaType', `${data.mediaType} is not a document type the record keeps`);
  if (!(DOCUMENT_KINDS as readonly string[]).includes(data.kind))
    return invalid('kind', `kind must be one of ${DOCUMENT_KINDS.join(', ')}`);
  if (!(DIRECTIONS as readonly string[]).includes(data.direction))
    return invalid('direction', `direction must be one of ${DIRECTIONS.join(', ')}`);
  if (!data.title.trim() || data.title.length > MAX_TITLE) return invalid('title', `a title of 1 to ${MAX_TITLE} characters`);
  const dated = checkInstant('dated', data.dated, context);
  if (isDomainError(dated)) return dated;
  return [{ type: 'DocumentAttached', data: { ...data, complaintId: complaint.complaintId, dated } }];
}

function recordReasonableAdjustment(
  { data }: C.RecordReasonableAdjustment,
  complaint: ComplaintState,
  context: DecisionContext,
): DecideResult {
  const recordedAt = checkInstant('recordedAt', data.recordedAt, context, notBeforeReceipt(complaint));
  if (isDomainError(recordedAt)) return recordedAt;
  const reviewBy =
    data.reviewBy === undefined
      ? undefined
      : checkDate('reviewBy', data.reviewBy, { date: londonDateOf(recordedAt), what: 'the adjustment' });
  if (isDomainError(reviewBy)) return reviewBy;
  return [
    { type: 'ReasonableAdjustmentRecorded', data: definedOnly({ ...data, complaintId: complaint.complaintId, recordedAt, reviewBy }) },
  ];
}

function authoriseRepresentative({ data }: C.AuthoriseRepresentative, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  // Consent may predate the complaint (a standing authority), so only the future is refused.
  const consentReceivedAt = checkInstant('consentReceivedAt', data.consentReceivedAt, context);
  if (isDomainError(consentReceivedAt)) return consentReceivedAt;
  return [{ type: 'RepresentativeAuthorised', data: definedOnly({ ...data, complaintId: complaint.complaintId, consentReceivedAt }) }];
}

function assignHandler({ data }: C.AssignHandler, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const active = requireActive(complaint);
  if (isDomainError(active)) return active;
  const stage = requireStage(complaint, data.stage);
  if (isDomainError(stage)) return stage;
  const assignedAt = checkInstant('assignedAt', data.assignedAt, context, stageStart(data.stage, stage.startsAt));
  if (isDomainError(assignedAt)) return assignedAt;
  return [{ type: 'HandlerAssigned', data: { ...data, complaintId: complaint.complaintId, assignedAt } }];
}

function withdraw({ data }: C.WithdrawComplaint, complaint: ComplaintState, context: DecisionContext): DecideResult {
  const status = statusOf(complaint);
  if (status !== 'open' && status !== 'responded') {
    return new DomainError('COMPLAINT.NOT_OPEN', 'conflict', `a complaint that is ${status.replace('_', ' ')} cannot be withdrawn`);
  }
  const withdrawnAt = checkInstant('withdrawnAt', data.withdrawnAt, context, notBeforeReceipt(complaint));
  if (isDomainError(withdrawnAt)) return withdrawnAt;
  return [{ type: 'ComplaintWithdrawn', data: definedOnly({ ...data, complaintId: complaint.complaintId, withdrawnAt }) }];
}

/**
 * The alerts due at `asOf` and not recorded yet (compliance/alerts): each deadline's breach once
 * its due day has ended (decision 0002), and its warning from the configured working day before. Nothing
 * due is no events, not an error: a sweep that finds the work done records nothing.
 */
function recordDeadlineAlerts({ data }: C.RecordDeadlineAlerts, complaint: ComplaintState, context: DecisionContext): DecideResult {
  if (!context.compliance) throw new Error('deciding deadline alerts needs the compliance rules in the context');
  const asOf = checkInstant('asOf', data.asOf, context);
  if (isDomainError(asOf)) return asOf;
  return alertsDue(complaint, asOf, context.compliance.rules, context.compliance.alerts);
}

/**
 * Records that the resident's personal data was erased (their data key destroyed). Once per
 * complaint: a complaint already erased records nothing more. Only the complaint's own resident
 * can be erased from it.
 */
function erasePersonalData({ data }: C.ErasePersonalData, complaint: ComplaintState, context: DecisionContext): DecideResult {
  if (complaint.resident.reference !== data.residentReference) {
    return new DomainError('ERASURE.OTHER_RESIDENT', 'conflict', `complaint ${complaint.complaintId} is not ${data.residentReference}'s`, {
      field: 'residentReference',
    });
  }
  if (complaint.personalDataErasedAt) return [];
  const erasedAt = checkInstant('erasedAt', data.erasedAt, context);
  if (isDomainError(erasedAt)) return erasedAt;
  return [{ type: 'PersonalDataErased', data: { ...data, complaintId: complaint.complaintId, erasedAt } }];
}

function stageStart(stage: Stage, startsAt: string) {
  return stage === 1
    ? { instant: startsAt, code: 'INSTANT.BEFORE_RECEIPT', what: 'the complaint was received' }
    : { instant: startsAt, code: 'INSTANT.BEFORE_ESCALATION', what: 'the escalation request' };
}

function unreachable(command: never): never {
  throw new Error(`unknown command ${(command as { type: string }).type}`);
}
