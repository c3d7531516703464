import {
  alertsDue,
  foldEvents,
  nextAlertAt,
  WorkingCalendar,
  type ComplaintEvent,
  type ComplaintState,
  type ComplianceRules,
} from '../src';
import { acknowledged, COMPLAINT_ID, extended, received } from './support/builders';

const rules: ComplianceRules = { calendar: new WorkingCalendar() };
const settings = { warningWorkingDays: 2 };
const stateOf = (...events: ComplaintEvent[]) => foldEvents(events) as ComplaintState;
const recorded = (state: ComplaintState, asOf: string) => foldEvents(alertsDue(state, asOf, rules, settings), state) as ComplaintState;

// Received Wed 1 May 2024 10:00 BST. Acknowledgement (Code 4.1/6.2 in the 2024 Code: 5 working
// days): Thu 2 = 1, Fri 3 = 2, Mon 6 is the Early May bank holiday, Tue 7 = 3, Wed 8 = 4,
// Thu 9 = 5 → due 23:59:59.999 BST Thu 9 May = 2024-05-09T22:59:59.999Z.
// Warning 2 working days ahead: from the start of Tue 7 May (BST) = 2024-05-06T23:00:00.000Z.
const complaint = stateOf(received('2024-05-01T10:00'));

describe('deadline alerts (breach detection, Code 5.12 record of each)', () => {
  it('given a fresh complaint, nothing is due before the warning day', () => {
    expect(alertsDue(complaint, '2024-05-06T22:59:59.999Z', rules, settings)).toEqual([]);
    expect(nextAlertAt(complaint, '2024-05-01T09:00:00.000Z', rules, settings)).toBe('2024-05-06T23:00:00.000Z');
  });

  it('warns from the start of the warning day, once, with the working days left', () => {
    const alerts = alertsDue(complaint, '2024-05-07T08:00:00.000Z', rules, settings);
    expect(alerts).toEqual([
      {
        type: 'DeadlineApproaching',
        data: {
          complaintId: COMPLAINT_ID,
          deadlineKey: 'acknowledgement|1|-|2024-05-09T22:59:59.999Z',
          kind: 'acknowledgement',
          stage: 1,
          dueAt: '2024-05-09T22:59:59.999Z',
          provision: expect.any(String),
          codeVersion: '2024',
          warnedAt: '2024-05-07T08:00:00.000Z',
          workingDaysLeft: 2,
        },
      },
    ]);
    const warned = recorded(complaint, '2024-05-07T08:00:00.000Z');
    expect(alertsDue(warned, '2024-05-08T08:00:00.000Z', rules, settings)).toEqual([]);
    expect(nextAlertAt(warned, '2024-05-08T08:00:00.000Z', rules, settings)).toBe('2024-05-09T22:59:59.999Z');
  });

  it('records a breach once the due day has ended, and never again', () => {
    expect(alertsDue(complaint, '2024-05-09T22:59:59.999Z', rules, settings).map((a) => a.type)).toEqual(['DeadlineApproaching']);
    const breached = alertsDue(complaint, '2024-05-10T09:00:00.000Z', rules, settings);
    expect(breached).toMatchObject([
      { type: 'DeadlineBreached', data: { kind: 'acknowledgement', detectedAt: '2024-05-10T09:00:00.000Z' } },
    ]);
    const after = recorded(complaint, '2024-05-10T09:00:00.000Z');
    expect(alertsDue(after, '2024-06-10T09:00:00.000Z', rules, settings).filter((a) => a.data.kind === 'acknowledgement')).toEqual([]);
  });

  it('stops watching a deadline once it is met', () => {
    const met = stateOf(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T10:00'));
    expect(alertsDue(met, '2024-05-10T09:00:00.000Z', rules, settings).map((a) => a.data.kind)).not.toContain('acknowledgement');
  });

  it('watches a deadline moved by an extension afresh, under its new due instant', () => {
    // Acknowledged Thu 2 May; stage 1 response due 10 working days later (Code 6.3): Fri 17 May.
    // Extended on Wed 15 May to Fri 31 May (Mon 27 May is the Spring bank holiday).
    const extendedState = stateOf(
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      extended(1, '2024-05-15T10:00', '2024-05-31'),
    );
    const at = '2024-05-20T09:00:00.000Z';
    expect(alertsDue(extendedState, at, rules, settings)).toEqual([]);
    expect(nextAlertAt(extendedState, at, rules, settings)).toBe('2024-05-28T23:00:00.000Z'); // start of Wed 29 May, BST
  });
});
