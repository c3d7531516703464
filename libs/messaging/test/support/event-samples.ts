import type { ComplaintEvent, ComplaintEventType } from '@complaint-ledger/domain';

type DataOf<T extends ComplaintEventType> = Extract<ComplaintEvent, { type: T }>['data'];

const complaintId = '5f0c1c1e-8a43-4d4e-9a55-2f2d6f4b8c01';
const alert = {
  complaintId,
  deadlineKey: 'stage1Response',
  kind: 'stage1Response' as const,
  stage: 1 as const,
  dueAt: '2024-05-29T22:59:59.999Z',
  provision: '6.2',
  codeVersion: '2024' as const,
};

/**
 * One sample of every event type's data, every optional field filled, personal data included as
 * the ledger holds it. Typed by the domain's own event types, so the compiler keeps each sample
 * true to them, and a mapped type over every type name, so a new event type cannot be left out.
 */
export const EVENT_SAMPLES: { [T in ComplaintEventType]: DataOf<T> } = {
  ComplaintReceived: {
    complaintId,
    receivedAt: '2024-05-01T09:00:00.000Z',
    channel: 'email',
    tenure: 'LCRA',
    category: 'repairs',
    summary: 'Leak under the sink, Mrs Patel at 07700 900123',
    resident: { reference: 'RES-1001', name: 'Asha Patel', email: 'asha@example.org', phone: '07700 900123', address: '1 High St' },
    outcomeSought: 'Repair',
    representative: { name: 'Ben Patel', relationship: 'son', consentReceivedAt: '2024-05-01T09:00:00.000Z' },
    issueOccurredAt: '2024-04-20T09:00:00.000Z',
    residentAwareAt: '2024-04-21T09:00:00.000Z',
    relatedServiceRequest: 'SR-77',
  },
  Acknowledged: {
    complaintId,
    stage: 1,
    acknowledgedAt: '2024-05-02T09:00:00.000Z',
    complaintDefinition: 'The leak',
    outcomesSought: 'Repair',
    handler: 'H1',
    responsibilityNotes: 'Ours',
  },
  Extended: {
    complaintId,
    stage: 1,
    notifiedAt: '2024-05-10T09:00:00.000Z',
    newDeadline: '2024-06-12',
    reason: 'Contractor report',
    ombudsmanDetailsGiven: true,
    goodReason: 'Needs a survey',
  },
  Escalated: { complaintId, requestedAt: '2024-06-20T09:00:00.000Z', reason: 'Still leaking' },
  Responded: {
    complaintId,
    stage: 1,
    respondedAt: '2024-05-15T09:00:00.000Z',
    decision: 'upheld',
    reasons: 'Repair late',
    remedyIds: ['r1'],
    outstandingActions: ['Replace pipe'],
    escalationRightsGiven: true,
    handler: 'H1',
  },
  RemedyOffered: {
    complaintId,
    remedyId: 'r1',
    offeredAt: '2024-05-15T09:00:00.000Z',
    stage: 1,
    type: 'financial',
    description: 'Compensation',
    amountPence: 15_000,
    dueBy: '2024-06-15',
  },
  RemedyCompleted: { complaintId, remedyId: 'r1', completedAt: '2024-06-01T09:00:00.000Z', notes: 'Paid' },
  ComplaintNotAccepted: {
    complaintId,
    decidedAt: '2024-05-02T09:00:00.000Z',
    ground: 'over_12_months',
    explanation: 'Too old',
    ombudsmanRightExplained: true,
  },
  EscalationRefused: {
    complaintId,
    decidedAt: '2024-06-21T09:00:00.000Z',
    ground: 'legal_proceedings',
    explanation: 'In court',
    ombudsmanRightExplained: true,
  },
  CorrespondenceRecorded: {
    complaintId,
    occurredAt: '2024-05-03T09:00:00.000Z',
    direction: 'outbound',
    party: 'resident',
    channel: 'phone',
    summary: 'Called Mrs Patel',
    documentRef: 'DOC-9',
  },
  ReasonableAdjustmentRecorded: {
    complaintId,
    recordedAt: '2024-05-02T09:00:00.000Z',
    adjustment: 'Large print',
    disclosedNeeds: 'Sight loss',
    reviewBy: '2025-05-02',
  },
  RepresentativeAuthorised: { complaintId, consentReceivedAt: '2024-05-02T09:00:00.000Z', name: 'Ben Patel', relationship: 'son' },
  HandlerAssigned: { complaintId, stage: 1, assignedAt: '2024-05-02T09:00:00.000Z', handler: 'H1' },
  ComplaintWithdrawn: { complaintId, withdrawnAt: '2024-05-20T09:00:00.000Z', reason: 'Fixed' },
  DeadlineBreached: {
    ...alert,
    remedyId: 'r1',
    detectedAt: '2024-05-30T09:00:00.000Z',
    metAt: '2024-05-31T09:00:00.000Z',
    workingDaysLate: 1,
    recurrence: 1,
  },
  DeadlineApproaching: { ...alert, remedyId: 'r1', warnedAt: '2024-05-27T09:00:00.000Z', workingDaysLeft: 2 },
  BreachRetracted: { ...alert, remedyId: 'r1', retractedAt: '2024-05-31T09:00:00.000Z', reason: 'met_on_time', recurrence: 1 },
  PersonalDataErased: { complaintId, residentReference: 'RES-1001', erasedAt: '2031-01-01T09:00:00.000Z', ground: 'retention' },
  FactCorrected: {
    complaintId,
    correctedRevision: 1,
    correctedType: 'Acknowledged',
    reason: 'Wrong date keyed',
    correctedAt: '2024-05-04T09:00:00.000Z',
    replacement: { complaintId, stage: 1, acknowledgedAt: '2024-05-02T10:00:00.000Z', complaintDefinition: 'The leak' },
  },
};
