import {
  toInstant,
  type Acknowledged,
  type ComplaintCommand,
  type ComplaintEvent,
  type ComplaintReceived,
  type Escalated,
  type Extended,
  type RemedyOffered,
  type Responded,
  type Stage,
} from '../../src';

/** Event builders for given/when/then: times are London wall-clock unless they carry an offset. */
export const COMPLAINT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const complaintId = COMPLAINT_ID;

/** The ReceiveComplaint command a housing system sends for the complaint above. */
export const receiveCommand = (data: Partial<Extract<ComplaintCommand, { type: 'ReceiveComplaint' }>['data']> = {}): ComplaintCommand => ({
  type: 'ReceiveComplaint',
  data: {
    complaintId,
    receivedAt: '2024-05-01T10:00:00+01:00',
    channel: 'email',
    tenure: 'LCRA',
    category: 'repairs',
    summary: 'Leak under the kitchen sink reported three times and not repaired',
    resident: { reference: 'RES-1001' },
    ...data,
  },
});

export const received = (at: string, extra: Partial<ComplaintReceived['data']> = {}): ComplaintEvent => ({
  type: 'ComplaintReceived',
  data: {
    complaintId,
    receivedAt: toInstant(at),
    channel: 'email',
    tenure: 'LCRA',
    category: 'repairs',
    summary: 'Leak under the kitchen sink reported three times and not repaired',
    resident: { reference: 'RES-1001' },
    ...extra,
  },
});

export const acknowledged = (stage: Stage, at: string, extra: Partial<Acknowledged['data']> = {}): ComplaintEvent => ({
  type: 'Acknowledged',
  data: {
    complaintId,
    stage,
    acknowledgedAt: toInstant(at),
    complaintDefinition: 'The leak has not been repaired; the resident wants it fixed and the damage put right',
    ...extra,
  },
});

export const extended = (stage: Stage, notifiedAt: string, newDeadline: string, extra: Partial<Extended['data']> = {}): ComplaintEvent => ({
  type: 'Extended',
  data: {
    complaintId,
    stage,
    notifiedAt: toInstant(notifiedAt),
    newDeadline,
    reason: "Awaiting the contractor's damp survey",
    ombudsmanDetailsGiven: true,
    ...extra,
  },
});

export const escalated = (at: string, extra: Partial<Escalated['data']> = {}): ComplaintEvent => ({
  type: 'Escalated',
  data: { complaintId, requestedAt: toInstant(at), ...extra },
});

export const responded = (stage: Stage, at: string, extra: Partial<Responded['data']> = {}): ComplaintEvent => ({
  type: 'Responded',
  data: {
    complaintId,
    stage,
    respondedAt: toInstant(at),
    decision: 'not_upheld',
    reasons: 'The repair was completed within the repairs policy timescale',
    remedyIds: [],
    outstandingActions: [],
    escalationRightsGiven: true,
    ...extra,
  },
});

export const remedyOffered = (remedyId: string, at: string, extra: Partial<RemedyOffered['data']> = {}): ComplaintEvent => ({
  type: 'RemedyOffered',
  data: {
    complaintId,
    remedyId,
    offeredAt: toInstant(at),
    stage: 1,
    type: 'action',
    description: 'Replace the damaged kitchen unit',
    ...extra,
  },
});

export const remedyCompleted = (remedyId: string, at: string): ComplaintEvent => ({
  type: 'RemedyCompleted',
  data: { complaintId, remedyId, completedAt: toInstant(at) },
});

type Decision = { ground?: 'over_12_months' | 'legal_proceedings' | 'previously_considered' | 'other'; ombudsmanRightExplained?: boolean };

export const notAccepted = (
  at: string,
  { ground = 'legal_proceedings', ombudsmanRightExplained = true }: Decision = {},
): ComplaintEvent => ({
  type: 'ComplaintNotAccepted',
  data: { complaintId, decidedAt: toInstant(at), ground, explanation: 'Court proceedings were issued on 1 March', ombudsmanRightExplained },
});

export const escalationRefused = (at: string, { ground = 'other', ombudsmanRightExplained = true }: Decision = {}): ComplaintEvent => ({
  type: 'EscalationRefused',
  data: { complaintId, decidedAt: toInstant(at), ground, explanation: 'The matter was fully resolved at stage 1', ombudsmanRightExplained },
});

export const withdrawn = (at: string): ComplaintEvent => ({
  type: 'ComplaintWithdrawn',
  data: { complaintId, withdrawnAt: toInstant(at), reason: 'Resident satisfied after a visit' },
});

export const representativeAuthorised = (at: string): ComplaintEvent => ({
  type: 'RepresentativeAuthorised',
  data: { complaintId, consentReceivedAt: toInstant(at), name: 'A. Advocate', relationship: 'advocate' },
});

export const handlerAssigned = (stage: Stage, at: string, handler: string): ComplaintEvent => ({
  type: 'HandlerAssigned',
  data: { complaintId, stage, assignedAt: toInstant(at), handler },
});

/**
 * The acknowledgement deadline's alert for the complaint `received('2024-05-01T10:00')`: received
 * Wed 1 May 2024 10:00 BST, due (Code 6.2, five working days, Mon 6 May a bank holiday) by the end of Thu 9 May.
 */
const ACKNOWLEDGEMENT_DUE = '2024-05-09T22:59:59.999Z';
export const acknowledgementAlert = {
  complaintId,
  deadlineKey: `acknowledgement|1|-|${ACKNOWLEDGEMENT_DUE}`,
  kind: 'acknowledgement',
  stage: 1,
  dueAt: ACKNOWLEDGEMENT_DUE,
  provision: '6.2',
  codeVersion: '2024',
} as const;
