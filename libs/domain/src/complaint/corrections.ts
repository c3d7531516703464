import { isAfter } from '../calendar/london-time';
import { COMMAND_RECORDING } from './commands';
import type * as C from './commands';
import type { DecisionContext } from './context';
import { DomainError, isDomainError } from './errors';
import { occurredAtOf, type ComplaintEvent, type FactCorrected, type PersonFactType } from './events';
import { withFacts, type ComplaintState, type RecordedFact, type State } from './state';
import { normaliseResidentReference } from './resident-reference';

type Decide = (command: C.ComplaintCommand, state: State, context: DecisionContext) => ComplaintEvent[] | DomainError;

/**
 * Decision 0016: a correction is a new fact naming the one it corrects. The replacement is decided
 * afresh, by the same rules, against the complaint as it stood before the corrected fact; the
 * complaint with the correction applied must still hang together (nothing answered before it was
 * acknowledged, no stage 2 without a stage 1 response). Only facts people record are correctable:
 * the ledger's own alerts and erasures follow from the facts, and a correction is corrected by
 * correcting the original fact again.
 */
export function correctFact({ data }: C.CorrectFact, complaint: ComplaintState, context: DecisionContext, decide: Decide) {
  if (!data.reason?.trim()) {
    return new DomainError('CORRECTION.REASON_REQUIRED', 'invalid', 'a correction must say why the fact was wrong', { field: 'reason' });
  }
  if (Boolean(data.replacement) === Boolean(data.void)) {
    return new DomainError(
      'CORRECTION.REPLACEMENT_OR_VOID',
      'invalid',
      'a correction either gives the replacement fact or voids the fact',
      {
        field: 'replacement',
      },
    );
  }
  const target = correctionTarget(complaint, data.revision);
  if (isDomainError(target)) return target;
  const type = target.event.type as PersonFactType;
  let replacement: FactCorrected['data']['replacement'];
  if (data.replacement) {
    const decided = replacementFor(target, data.replacement, complaint, context, decide);
    if (isDomainError(decided)) return decided;
    replacement = decided;
  } else if (type === 'ComplaintReceived') {
    return new DomainError(
      'CORRECTION.CANNOT_VOID_RECEIPT',
      'conflict',
      'the receipt of a complaint cannot be voided; withdraw it or record that it was not accepted',
      {
        field: 'void',
      },
    );
  }
  const event: FactCorrected = {
    type: 'FactCorrected',
    data: {
      complaintId: complaint.complaintId,
      correctedRevision: data.revision,
      correctedType: type,
      reason: data.reason,
      correctedAt: context.now,
      ...(replacement ? { replacement } : {}),
    },
  };
  const facts = complaint.facts.flatMap((fact) =>
    fact.revision !== data.revision
      ? [fact]
      : replacement
        ? [{ revision: fact.revision, event: { type, data: replacement } as ComplaintEvent }]
        : [],
  );
  const problem = inconsistency(withFacts(complaint, facts)!, facts);
  return problem ? new DomainError('CORRECTION.INCONSISTENT', 'conflict', `with this correction ${problem}`) : [event];
}

/** The fact people recorded at `revision` (as corrected so far), or why there is none to correct. */
export function correctionTarget(complaint: ComplaintState, revision: number): RecordedFact | DomainError {
  const target = complaint.facts.find((fact) => fact.revision === revision);
  if (target) return target;
  if (revision >= complaint.eventCount) {
    return new DomainError('CORRECTION.NO_SUCH_FACT', 'not_found', `the complaint has no event at revision ${revision}`, {
      field: 'revision',
    });
  }
  const voided = complaint.corrections.some((correction) => correction.correctedRevision === revision && correction.voided);
  return new DomainError(
    'CORRECTION.NOT_CORRECTABLE',
    'conflict',
    voided
      ? `the fact at revision ${revision} was voided`
      : `revision ${revision} is not a fact people recorded (an alert, an erasure or a correction: correct the original fact instead)`,
    { field: 'revision' },
  );
}

/** The replacement's data, decided as its own command against the complaint before the corrected fact. */
function replacementFor(
  target: RecordedFact,
  command: C.PersonCommand,
  complaint: ComplaintState,
  context: DecisionContext,
  decide: Decide,
): FactCorrected['data']['replacement'] | DomainError {
  const type = target.event.type as PersonFactType;
  if (command.type !== COMMAND_RECORDING[type]) {
    return new DomainError(
      'CORRECTION.WRONG_KIND',
      'invalid',
      `revision ${target.revision} is ${type}: its replacement is a ${COMMAND_RECORDING[type]}`,
      {
        field: 'replacement',
      },
    );
  }
  const original = target.event.data as Record<string, unknown>;
  if (command.type === 'RespondToComplaint' && command.data.remedies?.length) {
    return new DomainError(
      'CORRECTION.REMEDIES_SEPARATELY',
      'invalid',
      'correct each remedy offered through its own RemedyOffered revision',
      {
        field: 'replacement.remedies',
      },
    );
  }
  if (command.type === 'CompleteRemedy' && command.data.remedyId !== original.remedyId) {
    return new DomainError('CORRECTION.OTHER_REMEDY', 'invalid', `this completion is of remedy ${String(original.remedyId)}`, {
      field: 'replacement.remedyId',
    });
  }
  const before = withFacts(
    complaint,
    complaint.facts.filter((fact) => fact.revision < target.revision),
  );
  const replacing =
    command.type === 'ReceiveComplaint' ? { ...command, data: { ...command.data, complaintId: complaint.complaintId } } : command;
  if (
    replacing.type === 'ReceiveComplaint' &&
    normaliseResidentReference(replacing.data.resident.reference) !== normaliseResidentReference(complaint.resident.reference)
  ) {
    return new DomainError('CORRECTION.OTHER_RESIDENT', 'invalid', "a correction keeps the complaint's resident reference", {
      field: 'replacement.resident.reference',
    });
  }
  const decided = decide(replacing, before, context);
  if (isDomainError(decided)) {
    const field = decided.details.field && `replacement.${decided.details.field}`;
    return new DomainError(decided.code, decided.kind, decided.message, { ...decided.details, ...(field ? { field } : {}) });
  }
  const data = decided[0]!.data as Record<string, unknown>;
  // what the original fact's identity was stays: a response keeps its remedies, an offer its id and stage
  if (type === 'Responded') return { ...data, remedyIds: original.remedyIds } as FactCorrected['data']['replacement'];
  // the reference exactly as recorded: it names the resident's data key (one recorded before references were normalised too)
  if (type === 'ComplaintReceived')
    return {
      ...data,
      resident: { ...(data.resident as object), reference: complaint.resident.reference },
    } as FactCorrected['data']['replacement'];
  if (type === 'RemedyOffered')
    return { ...data, remedyId: original.remedyId, stage: original.stage } as FactCorrected['data']['replacement'];
  return data as FactCorrected['data']['replacement'];
}

/** What no longer hangs together once the corrected facts are folded, or null. */
function inconsistency(state: ComplaintState, facts: readonly RecordedFact[]): string | null {
  const later = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && isAfter(a, b);
  for (const { event } of facts) {
    if (event.type === 'ComplaintReceived' || event.type === 'RepresentativeAuthorised') continue;
    if (isAfter(state.receivedAt, occurredAtOf(event))) return `a ${event.type} would come before the complaint was received`;
  }
  for (const [stage, record] of [
    [1, state.stage1],
    [2, state.stage2],
  ] as const) {
    if (later(record?.acknowledgement?.at, record?.response?.at)) return `stage ${stage} would be responded to before it was acknowledged`;
  }
  if (state.stage2 || state.escalationRefusal) {
    const answered = state.stage1.response?.at;
    if (!answered) return 'the complaint would be escalated without a stage 1 response';
    if (later(answered, state.stage2?.requestedAt ?? state.escalationRefusal?.decidedAt))
      return 'the escalation would come before the stage 1 response';
    if (state.stage2 && later(state.stage2.requestedAt, state.stage2.acknowledgement?.at))
      return 'stage 2 would be acknowledged before it was requested';
  }
  if (state.nonAcceptance && state.stage1.response) return 'a complaint answered at stage 1 would also be not accepted';
  for (const { event } of facts) {
    if (event.type !== 'RemedyCompleted') continue;
    const remedy = state.remedies.find((candidate) => candidate.remedyId === event.data.remedyId);
    if (!remedy) return `remedy ${event.data.remedyId} would be completed without having been offered`;
    if (later(remedy.offeredAt, event.data.completedAt)) return `remedy ${event.data.remedyId} would be completed before it was offered`;
  }
  return null;
}
