import { DateTime } from 'luxon';
import type { ComplaintEvent } from '@complaint-ledger/domain';

/** An instant as a person in England reads it: the London date and time, and whether BST or GMT. */
export function londonTime(instant: string): string {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone('Europe/London').toFormat('d LLLL yyyy, HH:mm ZZZZ', { locale: 'en-GB' });
}

export function londonDate(instant: string): string {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone('Europe/London').toFormat('d LLLL yyyy', { locale: 'en-GB' });
}

/** Who recorded a fact, from the actor the ledger recorded: a credential's name, a signed-in person, or the ledger itself. */
export function recordedBy(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const name = rest.join(':');
  if (kind === 'api-key') return `${name} (API key)`;
  if (kind === 'jwt') return `${name} (signed in)`;
  if (kind === 'ledger') return LEDGER_ROLES[name] ?? `the ledger (${name})`;
  return actor;
}

const LEDGER_ROLES: Record<string, string> = {
  'breach-detector': 'the ledger (deadline monitor)',
  retention: 'the ledger (retention)',
  checkpointer: 'the ledger (checkpoints)',
};

const words = (value: string) => value.replace(/_/g, ' ');
const pounds = (pence: number) => `£${(pence / 100).toFixed(2)}`;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** How a fact names others in people's words: a document by its title, a remedy by its number. */
export interface Names {
  document(id: string): string;
  remedy(id: string): string;
}

/** A document's media type as a person says it. */
export function mediaTypeName(mediaType: string): string {
  return MEDIA_TYPE_NAMES[mediaType] ?? mediaType;
}

const MEDIA_TYPE_NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
  'image/tiff': 'TIFF image',
  'message/rfc822': 'e-mail',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel workbook',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint presentation',
  'application/vnd.oasis.opendocument.text': 'OpenDocument text',
  'application/vnd.oasis.opendocument.spreadsheet': 'OpenDocument spreadsheet',
  'application/x-ole-storage': 'older Office document',
  'text/plain': 'plain text',
};

/** A fact in the landlord's words: what happened, and its particulars (each a line). */
export function describeFact(event: ComplaintEvent, names: Names): { what: string; details: string[] } {
  const documents = (ids?: readonly string[]) => (ids?.length ? [`Documents: ${ids.map((id) => names.document(id)).join('; ')}`] : []);
  switch (event.type) {
    case 'ComplaintReceived': {
      const d = event.data;
      return {
        what: 'Complaint received',
        details: [
          `By ${words(d.channel)}; ${d.tenure} tenancy; about ${words(d.category)}`,
          `Summary: ${d.summary}`,
          ...(d.outcomeSought ? [`Outcome sought: ${d.outcomeSought}`] : []),
          ...(d.representative?.name
            ? [`Representative: ${d.representative.name}${d.representative.relationship ? ` (${d.representative.relationship})` : ''}`]
            : []),
        ],
      };
    }
    case 'Acknowledged':
      return {
        what: `Stage ${event.data.stage} acknowledged`,
        details: [
          `Complaint definition: ${event.data.complaintDefinition}`,
          ...(event.data.handler ? [`Handler: ${event.data.handler}`] : []),
        ],
      };
    case 'Extended':
      return {
        what: `Stage ${event.data.stage} response deadline extended to ${londonDate(`${event.data.newDeadline}T12:00:00Z`)}`,
        details: [`Reason: ${event.data.reason}`, `Ombudsman's details given: ${yesNo(event.data.ombudsmanDetailsGiven)}`],
      };
    case 'Escalated':
      return { what: 'Escalation to stage 2 requested', details: event.data.reason ? [`Reason: ${event.data.reason}`] : [] };
    case 'Responded':
      return {
        what: `Stage ${event.data.stage} response: ${words(event.data.decision)}`,
        details: [
          `Reasons: ${event.data.reasons ?? '(none given)'}`,
          ...(event.data.outstandingActions?.length ? [`Outstanding actions: ${event.data.outstandingActions.join('; ')}`] : []),
          `Escalation rights explained: ${yesNo(event.data.escalationRightsGiven)}`,
          ...documents(event.data.documentIds),
        ],
      };
    case 'RemedyOffered':
      return {
        what: `${names.remedy(event.data.remedyId)} offered (${words(event.data.type)})`,
        details: [
          event.data.description,
          ...(event.data.amountPence !== undefined ? [`Amount: ${pounds(event.data.amountPence)}`] : []),
          ...(event.data.dueBy ? [`To be completed by ${londonDate(`${event.data.dueBy}T12:00:00Z`)}`] : []),
        ],
      };
    case 'RemedyCompleted':
      return { what: `${names.remedy(event.data.remedyId)} completed`, details: event.data.notes ? [`Notes: ${event.data.notes}`] : [] };
    case 'ComplaintNotAccepted':
    case 'EscalationRefused':
      return {
        what: event.type === 'ComplaintNotAccepted' ? 'Complaint not accepted' : 'Escalation refused',
        details: [
          `Ground: ${words(event.data.ground)}`,
          event.data.explanation,
          `Right to go to the Ombudsman explained: ${yesNo(event.data.ombudsmanRightExplained)}`,
        ],
      };
    case 'CorrespondenceRecorded':
      return {
        what: `Correspondence ${event.data.direction === 'inbound' ? 'from' : 'to'} the ${words(event.data.party)} by ${words(event.data.channel)}`,
        details: [
          event.data.summary,
          ...(event.data.documentRef ? [`Reference: ${event.data.documentRef}`] : []),
          ...documents(event.data.documentIds),
        ],
      };
    case 'DocumentAttached':
      return {
        what: `Document attached: ${event.data.title}`,
        details: [`${words(event.data.kind)}, ${event.data.direction}; ${mediaTypeName(event.data.mediaType)}, ${event.data.bytes} bytes`],
      };
    case 'ReasonableAdjustmentRecorded':
      return {
        what: 'Reasonable adjustment recorded',
        details: [event.data.adjustment, ...(event.data.disclosedNeeds ? [`Needs disclosed: ${event.data.disclosedNeeds}`] : [])],
      };
    case 'RepresentativeAuthorised':
      return {
        what: 'Representative authorised',
        details: event.data.name ? [`${event.data.name}${event.data.relationship ? ` (${event.data.relationship})` : ''}`] : [],
      };
    case 'HandlerAssigned':
      return { what: `Stage ${event.data.stage} handler assigned`, details: [`Handler: ${event.data.handler}`] };
    case 'ComplaintWithdrawn':
      return { what: 'Complaint withdrawn', details: event.data.reason ? [`Reason: ${event.data.reason}`] : [] };
    case 'DeadlineBreached':
      return {
        what: `Deadline missed: ${deadlineName(event.data.kind, event.data.stage)} (Code ${event.data.codeVersion} ${event.data.provision})`,
        details: [
          `Was due ${londonTime(event.data.dueAt)}`,
          ...(event.data.metAt ? [`Met ${londonTime(event.data.metAt)}`] : []),
          ...(event.data.workingDaysLate !== undefined ? [`${event.data.workingDaysLate} working days late when found`] : []),
        ],
      };
    case 'DeadlineApproaching':
      return {
        what: `Deadline approaching: ${deadlineName(event.data.kind, event.data.stage)} (Code ${event.data.codeVersion} ${event.data.provision})`,
        details: [`Due ${londonTime(event.data.dueAt)}; ${event.data.workingDaysLeft} working days left`],
      };
    case 'BreachRetracted':
      return {
        what: `Missed deadline withdrawn: ${deadlineName(event.data.kind, event.data.stage)} (Code ${event.data.codeVersion} ${event.data.provision})`,
        details: [`Why: ${words(event.data.reason)}`],
      };
    case 'PersonalDataErased':
      return { what: "The resident's personal data was erased", details: [`Ground: ${event.data.ground}`] };
    case 'FactCorrected':
      return { what: 'Correction', details: [`Reason: ${event.data.reason}`] };
  }
}

export function deadlineName(kind: string, stage: number): string {
  const names: Record<string, string> = {
    acknowledgement: 'stage 1 acknowledgement',
    stage1Response: 'stage 1 response',
    stage2Acknowledgement: 'stage 2 acknowledgement',
    stage2Response: 'stage 2 response',
    remedy: `remedy (stage ${stage})`,
  };
  return names[kind] ?? kind;
}
