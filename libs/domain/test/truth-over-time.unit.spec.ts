import { complaintAsOf, foldEvents, type ComplaintEvent } from '../src';
import { acknowledged, acknowledgementAlert, COMPLAINT_ID, extended, received, responded } from './support/builders';
import { fixedContext, given, RULES, sweepContext } from './support/decider-spec';

// Received Wed 1 May 2024 10:00 BST: the acknowledgement (Code 6.2) is due by the end of Thu 9 May.
const sweepAt = sweepContext;
const sweep = (asOf: string) => ({ type: 'RecordDeadlineAlerts' as const, data: { asOf } });
const alert = acknowledgementAlert;
const breached = (at: string, extra: object = {}): ComplaintEvent => ({
  type: 'DeadlineBreached',
  data: { ...alert, detectedAt: at, ...extra },
});
const correction = (revision: number, data: object) => ({
  type: 'CorrectFact' as const,
  data: { revision, reason: 'Keyed from the wrong letter', ...data },
});
const acknowledge = (acknowledgedAt: string) => ({
  type: 'AcknowledgeComplaint' as const,
  data: { stage: 1 as const, acknowledgedAt, complaintDefinition: 'The leak has not been repaired' },
});

describe('breaches that follow the facts (decision 0017, Code 5.12)', () => {
  it('given a breach recorded, when an on-time acknowledgement is then recorded, the sweep retracts the breach', () => {
    const at = '2024-05-14T08:00:00.000Z';
    given(received('2024-05-01T10:00'), breached('2024-05-10T08:00:00.000Z'), acknowledged(1, '2024-05-03T10:00'))
      .when(sweep(at), sweepAt(at))
      .then([{ type: 'BreachRetracted', data: { ...alert, retractedAt: at, reason: 'met_on_time' } }]);
  });

  it('given a deadline met late before any sweep, when the sweep runs, then the breach is recorded with when it was met', () => {
    const at = '2024-05-14T08:00:00.000Z';
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-13T10:00'))
      .when(sweep(at), sweepAt(at))
      .then([breached(at, { metAt: '2024-05-13T09:00:00.000Z', workingDaysLate: 2 })]); // Friday and Monday
  });

  it('given a breach recorded and then retracted, when the deadline is breached again, it is recorded as a recurrence', () => {
    const at = '2024-05-20T08:00:00.000Z';
    const retracted: ComplaintEvent = {
      type: 'BreachRetracted',
      data: { ...alert, retractedAt: '2024-05-14T08:00:00.000Z', reason: 'met_on_time' },
    };
    given(received('2024-05-01T10:00'), breached('2024-05-10T08:00:00.000Z'), retracted, acknowledged(1, '2024-05-15T10:00'))
      .when(sweep(at), sweepAt(at))
      .then([breached(at, { metAt: '2024-05-15T09:00:00.000Z', workingDaysLate: 4, recurrence: 1 })]);
  });

  it('given a grace period of two working days, the breach waits for it to pass (a warning says how far past due)', () => {
    const inGrace = '2024-05-10T08:00:00.000Z'; // Friday: one working day past due
    given(received('2024-05-01T10:00'))
      .when(sweep(inGrace), sweepAt(inGrace, 2))
      .then([{ type: 'DeadlineApproaching', data: { ...alert, warnedAt: inGrace, workingDaysLeft: -1 } }]);
    const after = '2024-05-13T23:30:00.000Z'; // the end of Monday, the second working day after, has passed
    given(received('2024-05-01T10:00'))
      .when(sweep(after), sweepAt(after, 2))
      .then([breached(after, { workingDaysLate: 3 })]); // Friday, Monday and Tuesday begun
  });

  it('given a breach, an extension notified after the deadline had passed does not retract it', () => {
    const at = '2024-05-20T08:00:00.000Z';
    given(
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      {
        type: 'DeadlineBreached',
        data: {
          ...alert,
          kind: 'stage1Response',
          deadlineKey: 'stage1Response|1|-|2024-05-17T22:59:59.999Z',
          dueAt: '2024-05-17T22:59:59.999Z',
          provision: '6.3',
          detectedAt: '2024-05-18T08:00:00.000Z',
        },
      },
      extended(1, '2024-05-19T10:00', '2024-05-31', { goodReason: 'Contractor survey' }),
    )
      .when(sweep(at), sweepAt(at))
      .then([]);
  });
});

/** The FactCorrected the decider records for a correction of revision 1 (the acknowledgement), now. */
const factCorrected = (extra: object = {}): ComplaintEvent => ({
  type: 'FactCorrected',
  data: {
    complaintId: COMPLAINT_ID,
    correctedRevision: 1,
    correctedType: 'Acknowledged',
    reason: 'Keyed from the wrong letter',
    correctedAt: fixedContext().now,
    ...extra,
  },
});

describe('corrections as facts (decision 0016)', () => {
  const history = [received('2024-05-01T10:00'), acknowledged(1, '2024-05-03T10:00')];

  it('given an on-time acknowledgement, when it is corrected to a later date, then the correction names it and carries the replacement decided afresh', () => {
    given(...history)
      .when(correction(1, { replacement: acknowledge('2024-05-13T10:00:00+01:00') }))
      .then([
        factCorrected({
          replacement: {
            stage: 1,
            acknowledgedAt: '2024-05-13T09:00:00.000Z',
            complaintDefinition: 'The leak has not been repaired',
            complaintId: COMPLAINT_ID,
          },
        }),
      ]);
  });

  it('changes the deadline from met to late and back, keeping both corrections on the record', () => {
    const late: ComplaintEvent = {
      type: 'FactCorrected',
      data: {
        complaintId: COMPLAINT_ID,
        correctedRevision: 1,
        correctedType: 'Acknowledged',
        reason: 'wrong letter',
        correctedAt: '2026-11-01T10:00:00.000Z',
        replacement: { ...acknowledged(1, '2024-05-13T10:00').data },
      },
    };
    const back: ComplaintEvent = {
      ...late,
      data: { ...late.data, correctedAt: '2026-11-02T10:00:00.000Z', replacement: { ...acknowledged(1, '2024-05-03T10:00').data } },
    };
    const status = (...events: ComplaintEvent[]) => given(...events).assessedAt('2024-06-30T12:00:00Z').deadlines[0]!.status;
    expect(status(...history)).toBe('met');
    expect(status(...history, late)).toBe('met_late');
    expect(status(...history, late, back)).toBe('met');
    const findings = given(...history, late, back)
      .assessedAt('2026-11-03T12:00:00Z')
      .findings.filter((f) => f.rule === 'fact-corrected');
    expect(findings.map((f) => [f.message, f.provision, f.severity])).toEqual([
      ['Acknowledged at revision 1 was corrected by revision 2', '5.12', 'info'],
      ['Acknowledged at revision 1 was corrected by revision 3', '5.12', 'info'],
    ]);
  });

  it('voids a fact: the acknowledgement is then unmet', () => {
    given(...history)
      .when(correction(1, { void: true }))
      .then([factCorrected()]);
  });

  it.each([
    ['no reason', correction(1, { void: true, reason: '  ' }), 'CORRECTION.REASON_REQUIRED', 'invalid'],
    ['neither replacement nor void', correction(1, {}), 'CORRECTION.REPLACEMENT_OR_VOID', 'invalid'],
    ['no such revision', correction(7, { void: true }), 'CORRECTION.NO_SUCH_FACT', 'not_found'],
    ['voiding the receipt', correction(0, { void: true }), 'CORRECTION.CANNOT_VOID_RECEIPT', 'conflict'],
    [
      'a replacement of another kind',
      correction(1, { replacement: { type: 'WithdrawComplaint', data: { withdrawnAt: '2024-05-03T10:00:00Z' } } }),
      'CORRECTION.WRONG_KIND',
      'invalid',
    ],
    [
      'a replacement the rules refuse',
      correction(1, { replacement: acknowledge('2024-04-01T10:00:00Z') }),
      'INSTANT.BEFORE_RECEIPT',
      'invalid',
    ],
  ])('refuses %s', (_, command, code, kind) => {
    given(...history)
      .when(command)
      .thenFails(code, { kind: kind as 'invalid' });
  });

  it('refuses a replacement that would leave the record inconsistent (acknowledged after the response)', () => {
    given(...history, responded(1, '2024-05-08T10:00'))
      .when(correction(1, { replacement: acknowledge('2024-05-09T10:00:00+01:00') }))
      .thenFails('CORRECTION.INCONSISTENT', { kind: 'conflict' });
  });

  it('refuses to correct what the ledger recorded itself', () => {
    given(...history, breached('2024-05-10T08:00:00.000Z'))
      .when(correction(2, { void: true }))
      .thenFails('CORRECTION.NOT_CORRECTABLE', { kind: 'conflict', field: 'revision' });
  });
});

describe('business time: the complaint as it stood on a date (decision 0018)', () => {
  const state = foldEvents([received('2024-05-01T10:00'), acknowledged(1, '2024-05-13T10:00'), responded(1, '2024-05-20T10:00')])!;

  it('given facts dated 2024, as of 1 May it is received and nothing more; as of 14 May acknowledged; before receipt there is no complaint', () => {
    expect(complaintAsOf(state, '2024-05-02T00:00:00Z')!.stage1.acknowledgement).toBeUndefined();
    expect(complaintAsOf(state, '2024-05-14T00:00:00Z')!.stage1.acknowledgement?.at).toBe('2024-05-13T09:00:00.000Z');
    expect(complaintAsOf(state, '2024-05-14T00:00:00Z')!.stage1.response).toBeUndefined();
    expect(complaintAsOf(state, '2024-04-30T00:00:00Z')).toBeNull();
  });

  it('judges deadlines on those facts: pending, then met late', () => {
    const at = (asOf: string) => given(...state.facts.map((fact) => fact.event)).assessedAt(asOf, RULES);
    expect(at('2024-05-08T12:00:00Z').deadlines[0]!.status).toBe('pending');
    expect(at('2024-05-31T12:00:00Z').deadlines[0]!.status).toBe('met_late');
  });
});
