import { decide, foldEvents, isDomainError, type ComplaintCommand } from '../src';
import {
  acknowledged,
  COMPLAINT_ID,
  escalated,
  escalationRefused,
  extended,
  notAccepted,
  received,
  receiveCommand,
  remedyCompleted,
  remedyOffered,
  responded,
  withdrawn,
} from './support/builders';
import { fixedContext, given } from './support/decider-spec';

const complaintId = COMPLAINT_ID;
const receive = receiveCommand;
const acknowledge = (stage: 1 | 2, acknowledgedAt: string, handler?: string): ComplaintCommand => ({
  type: 'AcknowledgeComplaint',
  data: {
    stage,
    acknowledgedAt,
    complaintDefinition: 'The leak has not been repaired; the resident wants it fixed and the damage put right',
    ...(handler ? { handler } : {}),
  },
});
const respond = (stage: 1 | 2, respondedAt: string, extra: object = {}): ComplaintCommand => ({
  type: 'RespondToComplaint',
  data: {
    stage,
    respondedAt,
    decision: 'not_upheld',
    reasons: 'The repair was completed within the repairs policy timescale',
    outstandingActions: [],
    escalationRightsGiven: true,
    ...extra,
  },
});
const extend = (stage: 1 | 2, notifiedAt: string, newDeadline: string): ComplaintCommand => ({
  type: 'ExtendDeadline',
  data: { stage, notifiedAt, newDeadline, reason: "Awaiting the contractor's damp survey", ombudsmanDetailsGiven: true },
});
const escalate = (requestedAt: string): ComplaintCommand => ({ type: 'EscalateComplaint', data: { requestedAt } });
const decision = {
  ground: 'legal_proceedings' as const,
  explanation: 'Court proceedings were issued on 1 March',
  ombudsmanRightExplained: true,
};

const stage1Answered = [received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'), responded(1, '2024-05-15T16:00')];

describe('ReceiveComplaint', () => {
  it('records ComplaintReceived with instants normalised to UTC', () =>
    given()
      .when(receive())
      .then([received('2024-05-01T10:00')]));

  it('keeps the optional record: representative, issue dates, related service request', () =>
    given()
      .when(
        receive({
          representative: { name: 'A. Advocate', relationship: 'advocate', consentReceivedAt: '2024-04-30' },
          issueOccurredAt: '2024-03-01',
          residentAwareAt: '2024-03-02T08:00:00Z',
          relatedServiceRequest: 'SR-77',
          outcomeSought: 'Repair and compensation',
        }),
      )
      .then([
        received('2024-05-01T10:00', {
          representative: { name: 'A. Advocate', relationship: 'advocate', consentReceivedAt: '2024-04-29T23:00:00.000Z' },
          issueOccurredAt: '2024-03-01T00:00:00.000Z',
          residentAwareAt: '2024-03-02T08:00:00.000Z',
          relatedServiceRequest: 'SR-77',
          outcomeSought: 'Repair and compensation',
        }),
      ]));

  it('refuses a second receipt of the same complaint', () =>
    given(received('2024-05-01T10:00')).when(receive()).thenFails('COMPLAINT.ALREADY_EXISTS', { kind: 'conflict' }));

  it('refuses a receipt in the future', () =>
    given()
      .when(receive({ receivedAt: '2026-11-23T12:00:01Z' }))
      .thenFails('INSTANT.IN_FUTURE', { kind: 'invalid', field: 'receivedAt' }));

  it('tolerates the configured clock skew, and no more', () => {
    const skewed = { ...fixedContext(), clockSkewMs: 60_000 };
    given()
      .when(receive({ receivedAt: '2026-11-23T12:00:59Z' }), skewed)
      .then([received('2026-11-23T12:00:59Z')]);
    given()
      .when(receive({ receivedAt: '2026-11-23T12:01:01Z' }), skewed)
      .thenFails('INSTANT.IN_FUTURE');
  });

  it("stops, rather than refusing the client, when the ledger's own clock is not an instant", () => {
    // read as 0, a broken clock would have refused every command as "in the future"
    expect(() => decide(receive({ receivedAt: '2024-05-01T10:00:00Z' }), null, fixedContext('not a time'))).toThrow(
      /the decision's clock reads "not a time", not an instant/,
    );
  });

  it('refuses an instant that is not ISO-8601', () =>
    given()
      .when(receive({ receivedAt: 'last Tuesday' }))
      .thenFails('INSTANT.INVALID', { kind: 'invalid', field: 'receivedAt' }));

  it('refuses instants outside the working-day calendar', () =>
    given()
      .when(receive({ receivedAt: '1989-12-29T10:00:00Z' }))
      .thenFails('INSTANT.OUTSIDE_CALENDAR', { field: 'receivedAt' }));

  it.each([' RES-1', 'RES-1 ', '   ', '', 'RES\u00001', 'RES\n1', 'R'.repeat(101)])(
    'refuses a resident reference that is blank, untrimmed, unprintable or too long (%j)',
    (reference) =>
      given()
        .when(receive({ resident: { reference } }))
        .thenFails('RESIDENT.REFERENCE_INVALID', { kind: 'invalid', field: 'resident.reference' }),
  );

  it.each(["O'Brien #12", 'Zoë: flat 3 (rear)', 'res@example+1, [b]', 'R'.repeat(100)])(
    'records any printable, trimmed reference of up to 100 characters (%j)',
    (reference) =>
      given()
        .when(receive({ resident: { reference } }))
        .then([received('2024-05-01T10:00:00+01:00', { resident: { reference } })]),
  );

  it('refuses an issue that occurred after the complaint about it', () =>
    given()
      .when(receive({ issueOccurredAt: '2024-05-02' }))
      .thenFails('INSTANT.AFTER_RECEIPT', { field: 'issueOccurredAt' }));

  it('refuses awareness after the complaint', () =>
    given()
      .when(receive({ residentAwareAt: '2024-05-01T11:00:00+01:00' }))
      .thenFails('INSTANT.AFTER_RECEIPT', { field: 'residentAwareAt' }));

  it('refuses a consent date in the future', () =>
    given()
      .when(receive({ representative: { name: 'A. Advocate', consentReceivedAt: '2027-01-01' } }))
      .thenFails('INSTANT.IN_FUTURE', { field: 'representative.consentReceivedAt' }));
});

describe('any command on a complaint never received', () => {
  it.each<ComplaintCommand>([
    acknowledge(1, '2024-05-02'),
    extend(1, '2024-05-02', '2024-06-01'),
    escalate('2024-05-02'),
    respond(1, '2024-05-02'),
    { type: 'OfferRemedy', data: { offeredAt: '2024-05-02', type: 'apology', description: 'Apology' } },
    { type: 'CompleteRemedy', data: { remedyId: 'remedy-1', completedAt: '2024-05-02' } },
    { type: 'RecordNonAcceptance', data: { decidedAt: '2024-05-02', ...decision } },
    { type: 'RefuseEscalation', data: { decidedAt: '2024-05-02', ...decision } },
    {
      type: 'RecordCorrespondence',
      data: { occurredAt: '2024-05-02', direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Called' },
    },
    { type: 'RecordReasonableAdjustment', data: { recordedAt: '2024-05-02', adjustment: 'Large print' } },
    { type: 'AuthoriseRepresentative', data: { consentReceivedAt: '2024-05-02' } },
    { type: 'AssignHandler', data: { stage: 1, assignedAt: '2024-05-02', handler: 'H1' } },
    { type: 'WithdrawComplaint', data: { withdrawnAt: '2024-05-02' } },
  ])('$type is refused as not found', (command) => given().when(command).thenFails('COMPLAINT.NOT_FOUND', { kind: 'not_found' }));
});

describe('AcknowledgeComplaint', () => {
  it('records Acknowledged for stage 1', () =>
    given(received('2024-05-01T10:00'))
      .when(acknowledge(1, '2024-05-02T09:00', 'H1'))
      .then([acknowledged(1, '2024-05-02T09:00', { handler: 'H1' })]));

  it('records a late acknowledgement: it happened, and becomes a finding (Code 6.2)', () =>
    given(received('2024-05-01T10:00'))
      .when(acknowledge(1, '2024-06-20T09:00'))
      .then([acknowledged(1, '2024-06-20T09:00')]));

  it('records Acknowledged for stage 2 after an escalation', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when(acknowledge(2, '2024-05-21T09:00'))
      .then([acknowledged(2, '2024-05-21T09:00')]));

  it('refuses a second acknowledgement of a stage', () =>
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'))
      .when(acknowledge(1, '2024-05-03T09:00'))
      .thenFails('STAGE.ALREADY_ACKNOWLEDGED', { kind: 'conflict', provision: '6.2' }));

  it('refuses an acknowledgement before receipt', () =>
    given(received('2024-05-01T10:00'))
      .when(acknowledge(1, '2024-05-01T09:59'))
      .thenFails('INSTANT.BEFORE_RECEIPT', { field: 'acknowledgedAt' }));

  it('refuses a stage 2 acknowledgement before any escalation', () =>
    given(...stage1Answered)
      .when(acknowledge(2, '2024-05-21'))
      .thenFails('STAGE.NOT_STARTED', { kind: 'conflict', field: 'stage' }));

  it('refuses a stage 2 acknowledgement before the escalation request', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when(acknowledge(2, '2024-05-20T08:00'))
      .thenFails('INSTANT.BEFORE_ESCALATION'));

  it('refuses an acknowledgement dated after the response it preceded', () =>
    given(received('2024-05-01T10:00'), responded(1, '2024-05-07T10:00'))
      .when(acknowledge(1, '2024-05-08T10:00'))
      .thenFails('STAGE.ACKNOWLEDGED_AFTER_RESPONSE', { kind: 'conflict' }));

  it('accepts an acknowledgement recorded late but dated before the response', () =>
    given(received('2024-05-01T10:00'), responded(1, '2024-05-07T10:00'))
      .when(acknowledge(1, '2024-05-02T10:00'))
      .then([acknowledged(1, '2024-05-02T10:00')]));

  it('refuses acknowledging a withdrawn complaint', () =>
    given(received('2024-05-01T10:00'), withdrawn('2024-05-02T10:00'))
      .when(acknowledge(1, '2024-05-03'))
      .thenFails('COMPLAINT.WITHDRAWN', { kind: 'conflict' }));

  it('refuses acknowledging a complaint that was not accepted', () =>
    given(received('2024-05-01T10:00'), notAccepted('2024-05-02T10:00'))
      .when(acknowledge(1, '2024-05-03'))
      .thenFails('COMPLAINT.NOT_ACCEPTED'));

  it('refuses a stage 2 acknowledgement once escalation was refused', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'), escalationRefused('2024-05-21T09:00'))
      .when(acknowledge(2, '2024-05-22'))
      .thenFails('ESCALATION.REFUSED'));
});

describe('ExtendDeadline', () => {
  const open = [received('2024-09-02T10:00'), acknowledged(1, '2024-09-03T10:00')];

  it('records Extended', () =>
    given(...open)
      .when(extend(1, '2024-09-12T10:00', '2024-10-01'))
      .then([extended(1, '2024-09-12T10:00', '2024-10-01')]));

  it('records an extension beyond the limit: a finding, not a refusal (Code 6.4)', () =>
    given(...open)
      .when(extend(1, '2024-09-12T10:00', '2024-12-20'))
      .then([extended(1, '2024-09-12T10:00', '2024-12-20')]));

  it("refuses an extension whose reason, kept in clear (the annual report counts it), holds a resident's telephone number", () => {
    const command = extend(1, '2024-09-12T10:00', '2024-10-01');
    given(...open)
      .when({ ...command, data: { ...command.data, reason: 'Resident asked us to call back on 07700 900123' } } as ComplaintCommand)
      .thenFails('PERSONAL_DATA.IN_CLEAR', { kind: 'invalid', field: 'reason' });
  });

  it('refuses a handler given as an email address, and a category holding a postcode, wherever the command is', () => {
    given(...open)
      .when({
        type: 'AcknowledgeComplaint',
        data: { stage: 2, acknowledgedAt: '2024-09-03T10:00', complaintDefinition: 'Damp', handler: 'sam.jones@landlord.example' },
      } as ComplaintCommand)
      .thenFails('PERSONAL_DATA.IN_CLEAR', { field: 'handler' });
    given()
      .when({ ...receive(), data: { ...receive().data, category: 'repairs at SW1A 1AA' } } as ComplaintCommand)
      .thenFails('PERSONAL_DATA.IN_CLEAR', { field: 'category' });
  });

  it("takes a telephone number where the ledger protects it (a response's reasons, encrypted and erasable)", () => {
    const result = decide(
      respond(1, '2024-09-12T10:00', { reasons: 'Spoke to the resident on 07700 900123' }),
      foldEvents(open),
      fixedContext(),
    );
    expect(isDomainError(result) ? result.code : result.map((event) => event.type)).toEqual(['Responded']);
  });

  it('refuses an extension once the stage has been answered', () =>
    given(...stage1Answered)
      .when(extend(1, '2024-05-16', '2024-06-01'))
      .thenFails('STAGE.ALREADY_RESPONDED', { kind: 'conflict' }));

  it('refuses a new deadline before the notice', () =>
    given(...open)
      .when(extend(1, '2024-09-12T10:00', '2024-09-11'))
      .thenFails('DATE.TOO_EARLY', { field: 'newDeadline' }));

  it('refuses a new deadline that is not a date', () =>
    given(...open)
      .when(extend(1, '2024-09-12T10:00', '2024-13-01'))
      .thenFails('DATE.INVALID', { field: 'newDeadline' }));

  it('refuses a stage 2 extension before escalation', () =>
    given(...open)
      .when(extend(2, '2024-09-12T10:00', '2024-10-01'))
      .thenFails('STAGE.NOT_STARTED'));

  it('refuses a notice before receipt', () =>
    given(...open)
      .when(extend(1, '2024-09-01T10:00', '2024-10-01'))
      .thenFails('INSTANT.BEFORE_RECEIPT', { field: 'notifiedAt' }));
});

describe('EscalateComplaint', () => {
  it('records Escalated after the stage 1 response', () =>
    given(...stage1Answered)
      .when(escalate('2024-05-20T09:00'))
      .then([escalated('2024-05-20T09:00')]));

  it('keeps the reason when the resident gives one, though none is required (Code 6.12)', () =>
    given(...stage1Answered)
      .when({ type: 'EscalateComplaint', data: { requestedAt: '2024-05-20T09:00', reason: 'Compensation too low' } })
      .then([escalated('2024-05-20T09:00', { reason: 'Compensation too low' })]));

  it('refuses stage 2 before a stage 1 response', () =>
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'))
      .when(escalate('2024-05-03'))
      .thenFails('ESCALATION.STAGE1_NOT_RESPONDED', { kind: 'conflict', provision: '6.10' }));

  it('refuses an escalation request dated before the stage 1 response', () =>
    given(...stage1Answered)
      .when(escalate('2024-05-15T15:00'))
      .thenFails('INSTANT.BEFORE_STAGE1_RESPONSE', { field: 'requestedAt' }));

  it('refuses a second escalation', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when(escalate('2024-05-21'))
      .thenFails('ESCALATION.ALREADY_ESCALATED'));

  it('refuses escalation after it was refused', () =>
    given(...stage1Answered, escalationRefused('2024-05-20T09:00'))
      .when(escalate('2024-05-21'))
      .thenFails('ESCALATION.REFUSED'));

  it('refuses escalating a withdrawn complaint', () =>
    given(...stage1Answered, withdrawn('2024-05-16T09:00'))
      .when(escalate('2024-05-21'))
      .thenFails('COMPLAINT.WITHDRAWN'));
});

describe('RespondToComplaint', () => {
  it('records Responded, and a RemedyOffered for each remedy in the response', () =>
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'))
      .when(
        respond(1, '2024-05-15T16:00', {
          decision: 'upheld',
          remedies: [
            { type: 'apology', description: 'Written apology' },
            { type: 'financial', description: 'Compensation for distress', amountPence: 15000, dueBy: '2024-05-29' },
          ],
        }),
      )
      .then([
        responded(1, '2024-05-15T16:00', { decision: 'upheld', remedyIds: ['remedy-1', 'remedy-2'] }),
        remedyOffered('remedy-1', '2024-05-15T16:00', { type: 'apology', description: 'Written apology' }),
        remedyOffered('remedy-2', '2024-05-15T16:00', {
          type: 'financial',
          description: 'Compensation for distress',
          amountPence: 15000,
          dueBy: '2024-05-29',
        }),
      ]));

  it('records a stage 1 response with no acknowledgement recorded', () =>
    given(received('2024-05-01T10:00'))
      .when(respond(1, '2024-05-07T10:00'))
      .then([responded(1, '2024-05-07T10:00')]));

  it('records a stage 2 response', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'), acknowledged(2, '2024-05-21T09:00'))
      .when(respond(2, '2024-06-10T09:00'))
      .then([responded(2, '2024-06-10T09:00')]));

  it('refuses a second response at the same stage', () =>
    given(...stage1Answered)
      .when(respond(1, '2024-05-16'))
      .thenFails('STAGE.ALREADY_RESPONDED', { kind: 'conflict' }));

  it('refuses a stage 2 response before escalation', () =>
    given(...stage1Answered)
      .when(respond(2, '2024-05-16'))
      .thenFails('STAGE.NOT_STARTED', { kind: 'conflict' }));

  it('refuses a response before the acknowledgement', () =>
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'))
      .when(respond(1, '2024-05-02T08:00'))
      .thenFails('INSTANT.BEFORE_ACKNOWLEDGEMENT', { field: 'respondedAt' }));

  it('refuses a response to a withdrawn complaint', () =>
    given(received('2024-05-01T10:00'), withdrawn('2024-05-02T10:00'))
      .when(respond(1, '2024-05-03'))
      .thenFails('COMPLAINT.WITHDRAWN', { kind: 'conflict' }));

  it('refuses a remedy due before the response', () =>
    given(received('2024-05-01T10:00'))
      .when(respond(1, '2024-05-07T10:00', { decision: 'upheld', remedies: [{ type: 'action', description: 'Fix', dueBy: '2024-05-06' }] }))
      .thenFails('DATE.TOO_EARLY', { field: 'remedies[0].dueBy' }));

  it('refuses a response in the future', () =>
    given(received('2024-05-01T10:00')).when(respond(1, '2026-12-01')).thenFails('INSTANT.IN_FUTURE'));
});

describe('OfferRemedy and CompleteRemedy', () => {
  it('records RemedyOffered at the current stage', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when({
        type: 'OfferRemedy',
        data: { offeredAt: '2024-05-22T10:00', type: 'financial', description: 'Goodwill payment', amountPence: 5000, dueBy: '2024-06-05' },
      })
      .then([
        remedyOffered('remedy-1', '2024-05-22T10:00', {
          stage: 2,
          type: 'financial',
          description: 'Goodwill payment',
          amountPence: 5000,
          dueBy: '2024-06-05',
        }),
      ]));

  it('records RemedyCompleted', () =>
    given(...stage1Answered, remedyOffered('r-1', '2024-05-15T16:00'))
      .when({ type: 'CompleteRemedy', data: { remedyId: 'r-1', completedAt: '2024-05-30T10:00' } })
      .then([remedyCompleted('r-1', '2024-05-30T10:00')]));

  it('refuses completing a remedy never offered', () =>
    given(...stage1Answered)
      .when({ type: 'CompleteRemedy', data: { remedyId: 'r-9', completedAt: '2024-05-30' } })
      .thenFails('REMEDY.NOT_FOUND', { kind: 'not_found', field: 'remedyId' }));

  it('refuses completing a remedy twice', () =>
    given(...stage1Answered, remedyOffered('r-1', '2024-05-15T16:00'), remedyCompleted('r-1', '2024-05-30T10:00'))
      .when({ type: 'CompleteRemedy', data: { remedyId: 'r-1', completedAt: '2024-05-31' } })
      .thenFails('REMEDY.ALREADY_COMPLETED', { kind: 'conflict', provision: '7.3' }));

  it('refuses a completion before the offer', () =>
    given(...stage1Answered, remedyOffered('r-1', '2024-05-15T16:00'))
      .when({ type: 'CompleteRemedy', data: { remedyId: 'r-1', completedAt: '2024-05-15T15:00' } })
      .thenFails('INSTANT.BEFORE_OFFER', { field: 'completedAt' }));

  it.each([1e308, 2 ** 53 + 1, 1_000_000_001, -1, 2.5])(
    'refuses an amount that is not a whole number of pence up to £10m (%d)',
    (amountPence) =>
      given(...stage1Answered)
        .when({ type: 'OfferRemedy', data: { offeredAt: '2024-05-22T10:00', type: 'financial', description: 'Payment', amountPence } })
        .thenFails('REMEDY.AMOUNT_INVALID', { kind: 'invalid', field: 'amountPence' }),
  );

  it('refuses an offer before receipt', () =>
    given(received('2024-05-01T10:00'))
      .when({ type: 'OfferRemedy', data: { offeredAt: '2024-04-30', type: 'apology', description: 'Apology' } })
      .thenFails('INSTANT.BEFORE_RECEIPT', { field: 'offeredAt' }));
});

describe('RecordNonAcceptance and RefuseEscalation', () => {
  it('records ComplaintNotAccepted', () =>
    given(received('2024-05-01T10:00'))
      .when({ type: 'RecordNonAcceptance', data: { decidedAt: '2024-05-03T10:00', ...decision } })
      .then([notAccepted('2024-05-03T10:00')]));

  it('refuses non-acceptance after a stage 1 response', () =>
    given(...stage1Answered)
      .when({ type: 'RecordNonAcceptance', data: { decidedAt: '2024-05-16', ...decision } })
      .thenFails('NON_ACCEPTANCE.AFTER_RESPONSE', { kind: 'conflict' }));

  it('refuses a second non-acceptance', () =>
    given(received('2024-05-01T10:00'), notAccepted('2024-05-03T10:00'))
      .when({ type: 'RecordNonAcceptance', data: { decidedAt: '2024-05-04', ...decision } })
      .thenFails('COMPLAINT.NOT_ACCEPTED'));

  it('records EscalationRefused after the stage 1 response', () =>
    given(...stage1Answered)
      .when({
        type: 'RefuseEscalation',
        data: {
          decidedAt: '2024-05-20T10:00',
          ground: 'other',
          explanation: 'The matter was fully resolved at stage 1',
          ombudsmanRightExplained: true,
        },
      })
      .then([escalationRefused('2024-05-20T10:00')]));

  it('records EscalationRefused for an escalation request not yet acknowledged', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when({
        type: 'RefuseEscalation',
        data: {
          decidedAt: '2024-05-21T10:00',
          ground: 'other',
          explanation: 'The matter was fully resolved at stage 1',
          ombudsmanRightExplained: true,
        },
      })
      .then([escalationRefused('2024-05-21T10:00')]));

  it('refuses refusing an escalation once stage 2 is under way', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'), acknowledged(2, '2024-05-21T09:00'))
      .when({ type: 'RefuseEscalation', data: { decidedAt: '2024-05-22', ...decision } })
      .thenFails('ESCALATION.ALREADY_ACCEPTED'));

  it('refuses refusing an escalation before any stage 1 response', () =>
    given(received('2024-05-01T10:00'))
      .when({ type: 'RefuseEscalation', data: { decidedAt: '2024-05-22', ...decision } })
      .thenFails('ESCALATION.STAGE1_NOT_RESPONDED'));

  it('refuses a second refusal', () =>
    given(...stage1Answered, escalationRefused('2024-05-20T10:00'))
      .when({ type: 'RefuseEscalation', data: { decidedAt: '2024-05-22', ...decision } })
      .thenFails('ESCALATION.ALREADY_REFUSED'));

  it('refuses a refusal dated before the escalation request', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'))
      .when({ type: 'RefuseEscalation', data: { decidedAt: '2024-05-19', ...decision } })
      .thenFails('INSTANT.BEFORE_ESCALATION', { field: 'decidedAt' }));
});

describe('the rest of the full record (Code 5.12, 5.10, 3.6)', () => {
  const open = [received('2024-05-01T10:00')];

  it('records correspondence', () =>
    given(...open)
      .when({
        type: 'RecordCorrespondence',
        data: {
          occurredAt: '2024-05-02T11:00',
          direction: 'outbound',
          party: 'contractor',
          channel: 'email',
          summary: 'Asked for survey',
          documentRef: 'DOC-1',
        },
      })
      .then([
        {
          type: 'CorrespondenceRecorded',
          data: {
            complaintId,
            occurredAt: '2024-05-02T10:00:00.000Z',
            direction: 'outbound',
            party: 'contractor',
            channel: 'email',
            summary: 'Asked for survey',
            documentRef: 'DOC-1',
          },
        },
      ]));

  it('refuses correspondence dated before receipt', () =>
    given(...open)
      .when({
        type: 'RecordCorrespondence',
        data: { occurredAt: '2024-04-02', direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Called' },
      })
      .thenFails('INSTANT.BEFORE_RECEIPT', { field: 'occurredAt' }));

  it('records a reasonable adjustment with its review date', () =>
    given(...open)
      .when({
        type: 'RecordReasonableAdjustment',
        data: {
          recordedAt: '2024-05-02T11:00',
          adjustment: 'Large print letters',
          disclosedNeeds: 'Visual impairment',
          reviewBy: '2024-11-01',
        },
      })
      .then([
        {
          type: 'ReasonableAdjustmentRecorded',
          data: {
            complaintId,
            recordedAt: '2024-05-02T10:00:00.000Z',
            adjustment: 'Large print letters',
            disclosedNeeds: 'Visual impairment',
            reviewBy: '2024-11-01',
          },
        },
      ]));

  it('refuses a review date before the adjustment', () =>
    given(...open)
      .when({
        type: 'RecordReasonableAdjustment',
        data: { recordedAt: '2024-05-02T11:00', adjustment: 'Large print', reviewBy: '2024-05-01' },
      })
      .thenFails('DATE.TOO_EARLY', { field: 'reviewBy' }));

  it("records a representative's authority, which may predate the complaint", () =>
    given(...open)
      .when({
        type: 'AuthoriseRepresentative',
        data: { consentReceivedAt: '2024-04-20T10:00', name: 'A. Advocate', relationship: 'advocate' },
      })
      .then([
        {
          type: 'RepresentativeAuthorised',
          data: { complaintId, consentReceivedAt: '2024-04-20T09:00:00.000Z', name: 'A. Advocate', relationship: 'advocate' },
        },
      ]));

  it('records a handler assignment', () =>
    given(...open)
      .when({ type: 'AssignHandler', data: { stage: 1, assignedAt: '2024-05-02T11:00', handler: 'H1' } })
      .then([{ type: 'HandlerAssigned', data: { complaintId, stage: 1, assignedAt: '2024-05-02T10:00:00.000Z', handler: 'H1' } }]));

  it('refuses assigning a stage 2 handler before escalation', () =>
    given(...open)
      .when({ type: 'AssignHandler', data: { stage: 2, assignedAt: '2024-05-02', handler: 'H2' } })
      .thenFails('STAGE.NOT_STARTED'));
});

describe('WithdrawComplaint', () => {
  it('records ComplaintWithdrawn', () =>
    given(received('2024-05-01T10:00'))
      .when({ type: 'WithdrawComplaint', data: { withdrawnAt: '2024-05-03T10:00', reason: 'Resident satisfied after a visit' } })
      .then([withdrawn('2024-05-03T10:00')]));

  it('refuses withdrawing twice', () =>
    given(received('2024-05-01T10:00'), withdrawn('2024-05-03T10:00'))
      .when({ type: 'WithdrawComplaint', data: { withdrawnAt: '2024-05-04' } })
      .thenFails('COMPLAINT.NOT_OPEN', { kind: 'conflict' }));

  it('refuses withdrawing a complaint whose final response was given', () =>
    given(...stage1Answered, escalated('2024-05-20T09:00'), responded(2, '2024-06-10T09:00'))
      .when({ type: 'WithdrawComplaint', data: { withdrawnAt: '2024-06-11' } })
      .thenFails('COMPLAINT.NOT_OPEN'));

  it('refuses a withdrawal before receipt', () =>
    given(received('2024-05-01T10:00'))
      .when({ type: 'WithdrawComplaint', data: { withdrawnAt: '2024-04-30' } })
      .thenFails('INSTANT.BEFORE_RECEIPT', { field: 'withdrawnAt' }));

  it('refuses extending a withdrawn complaint', () =>
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'), withdrawn('2024-05-03T10:00'))
      .when(extend(1, '2024-05-04', '2024-06-01'))
      .thenFails('COMPLAINT.WITHDRAWN'));
});
