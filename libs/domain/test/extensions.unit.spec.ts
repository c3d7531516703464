import { assess, decide, foldEvents, isDomainError, type ComplaintEvent, type ComplaintState } from '../src';
import { acknowledged, extended, received, responded } from './support/builders';
import { RULES, sweepContext } from './support/decider-spec';

/**
 * Decision 0005: an extension notified after the deadline then in force had passed, or (2024 Code)
 * without the Ombudsman's details (6.5), is recorded and found, and moves nothing, whatever reason
 * is given; a good reason only carries a valid extension past the limit (6.4). 2024 Code: received
 * Wed 1 May 2024, acknowledged Thu 2 May, the stage 1 response due (6.3) ten working days on (Mon 6
 * May a bank holiday): Fri 17 May 2024.
 */
const DUE = '2024-05-17T22:59:59.999Z';
const stateOf = (...events: ComplaintEvent[]) => foldEvents(events) as ComplaintState;
const base = [received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00')];
const stage1 = (state: ComplaintState, asOf = '2024-06-30T12:00:00Z') => {
  const assessed = assess(state, asOf, RULES);
  return {
    deadline: assessed.deadlines.find((deadline) => deadline.kind === 'stage1Response')!,
    rules: assessed.findings.map((f) => f.rule),
  };
};

describe('an extension that moves nothing, a good reason given or not', () => {
  it('given one notified after the deadline had passed (with a good reason), when answered within it, then the response is late against the deadline it missed', () => {
    const late = extended(1, '2024-05-21T10:00', '2024-05-31', { goodReason: 'Contractor survey delayed' });

    const { deadline, rules } = stage1(stateOf(...base, late, responded(1, '2024-05-24T12:00')));

    expect(deadline).toMatchObject({ dueAt: DUE, status: 'met_late' });
    expect(rules).toEqual(expect.arrayContaining(['extension-notified-late', 'response-late']));
  });

  it("given one without the Ombudsman's details (with a good reason), then the deadline stays where it was", () => {
    const withoutDetails = extended(1, '2024-05-10T10:00', '2024-05-31', { ombudsmanDetailsGiven: false, goodReason: 'Survey' });

    const { deadline, rules } = stage1(stateOf(...base, withoutDetails, responded(1, '2024-05-24T12:00')));

    expect(deadline).toMatchObject({ dueAt: DUE, status: 'met_late' });
    expect(rules).toContain('extension-without-ombudsman-details');
  });

  it('given a deadline breached and left unanswered, when an extension with a good reason is notified a month on, then it stays breached', () => {
    const monthOn = extended(1, '2024-06-20T10:00', '2024-07-31', { goodReason: 'Backlog' });

    expect(stage1(stateOf(...base, monthOn), '2024-06-21T12:00:00Z').deadline).toMatchObject({ dueAt: DUE, status: 'breached' });
  });

  it('given the late extension keyed in before the sweep ran (a grace of two working days), when the sweep runs, then it records the breach', () => {
    const state = stateOf(...base, extended(1, '2024-05-21T10:00', '2024-05-31', { goodReason: 'Contractor survey' }));

    const recorded = decide(
      { type: 'RecordDeadlineAlerts', data: { asOf: '2024-05-22T12:00:00Z' } },
      state,
      sweepContext('2024-05-22T12:00:00Z', 2),
    );

    if (isDomainError(recorded)) throw new Error(recorded.message);
    expect(recorded.filter((event) => event.type === 'DeadlineBreached').map((event) => (event.data as { dueAt: string }).dueAt)).toContain(
      DUE,
    );
  });

  it('given one in time, with the details, beyond the limit with a good reason, then it moves the deadline to its date (and CH02 to the limit)', () => {
    // ten working days past 17 May is Mon 3 Jun (Mon 27 May a bank holiday); 14 Jun is beyond it
    const beyond = extended(1, '2024-05-10T10:00', '2024-06-14', { goodReason: 'Specialist survey' });

    const { deadline } = stage1(stateOf(...base, beyond, responded(1, '2024-06-12T12:00')));

    expect(deadline).toMatchObject({ dueAt: '2024-06-14T22:59:59.999Z', status: 'met', codeTimescaleDueAt: '2024-06-03T22:59:59.999Z' });
  });
});
