import { breachLateness, foldEvents, workingDaysLate, type ComplaintEvent, type ComplaintState } from '../src';
import { acknowledged, acknowledgementAlert, extended, received, responded, withdrawn } from './support/builders';
import { RULES } from './support/decider-spec';

// Received Wed 1 May 2024 10:00 BST: the acknowledgement (Code 6.2) is due by the end of Thu 9 May
// (Mon 6 May a bank holiday). Lateness counts working days after the due day (decisions 0001, 0002).
const DUE = acknowledgementAlert.dueAt;
const calendar = RULES.calendar;
const stateOf = (...events: ComplaintEvent[]) => foldEvents(events) as ComplaintState;
const sweptBreach: ComplaintEvent = { type: 'DeadlineBreached', data: { ...acknowledgementAlert, detectedAt: '2024-05-10T08:00:00.000Z' } };

describe('working days late (one count of lateness, decisions 0001 and 0002)', () => {
  it.each([
    ['met within the due day', 0, '2024-05-09T22:00:00.000Z'],
    ['met the next working day', 1, '2024-05-10T08:00:00.000Z'],
    ['met the Saturday after (late, by no working day more)', 1, '2024-05-11T10:00:00.000Z'],
    ['met the Monday after', 2, '2024-05-13T09:00:00.000Z'],
    ['met one minute into Monday, London time (still Sunday in UTC)', 2, '2024-05-12T23:01:00.000Z'],
  ])('due Thursday 9 May, %s: %i working day(s) late', (_, expected, until) =>
    expect(workingDaysLate(DUE, until, calendar)).toBe(expected),
  );

  it('skips bank holidays: due Friday 3 May 2024, Tuesday 7 May is one working day late (Monday 6 was Early May)', () =>
    expect(workingDaysLate('2024-05-03T22:59:59.999Z', '2024-05-07T10:00:00.000Z', calendar)).toBe(1));
});

describe('how late a recorded breach is, on the facts as now known', () => {
  it('given a breach the sweep found unmet, when the acknowledgement came later, then it was late until then', () =>
    expect(
      breachLateness(
        stateOf(received('2024-05-01T10:00'), sweptBreach, acknowledged(1, '2024-05-13T10:00')),
        acknowledgementAlert,
        '2026-11-23T12:00:00.000Z',
        RULES,
      ),
    ).toEqual({
      metAt: '2024-05-13T09:00:00.000Z',
      workingDaysLate: 2,
    }));

  it('given it is still unmet, then it is late by the working days elapsed by the instant asked about', () =>
    expect(
      breachLateness(stateOf(received('2024-05-01T10:00'), sweptBreach), acknowledgementAlert, '2024-05-15T08:00:00.000Z', RULES),
    ).toEqual({
      metAt: null,
      workingDaysLate: 4,
    }));

  it('given the complaint was withdrawn unmet, then lateness stopped with it', () =>
    expect(
      breachLateness(
        stateOf(received('2024-05-01T10:00'), sweptBreach, withdrawn('2024-05-14T10:00')),
        acknowledgementAlert,
        '2026-11-23T12:00:00.000Z',
        RULES,
      ),
    ).toEqual({ metAt: null, workingDaysLate: 3 }));

  const responseBreach = {
    ...acknowledgementAlert,
    kind: 'stage1Response' as const,
    deadlineKey: 'stage1Response|1|-|2024-05-17T22:59:59.999Z',
    dueAt: '2024-05-17T22:59:59.999Z', // ten working days from the acknowledgement on Thu 2 May
    provision: '6.3',
  };
  const extendedAfterItPassed = [
    received('2024-05-01T10:00'),
    acknowledged(1, '2024-05-02T10:00'),
    { type: 'DeadlineBreached', data: { ...responseBreach, detectedAt: '2024-05-18T08:00:00.000Z' } } as ComplaintEvent,
    extended(1, '2024-05-20T10:00', '2024-05-31', { goodReason: 'Contractor survey' }),
  ];

  it('given a response deadline extended after it had passed (the breach holds), then lateness runs from the breach’s own due day to the response', () => {
    const state = stateOf(...extendedAfterItPassed, responded(1, '2024-05-22T10:00'));
    // due Fri 17 May; answered Wed 22 May: Mon 20, Tue 21, Wed 22 (and the extended deadline was met)
    expect(breachLateness(state, responseBreach, '2026-11-23T12:00:00.000Z', RULES)).toEqual({
      metAt: '2024-05-22T09:00:00.000Z',
      workingDaysLate: 3,
    });
  });

  it('given such a deadline left unmet by a withdrawal, then lateness runs from the breach’s own due day to the withdrawal', () =>
    // due Fri 17 May; withdrawn Tue 21 May, before the extended deadline: Mon 20 and Tue 21
    expect(
      breachLateness(stateOf(...extendedAfterItPassed, withdrawn('2024-05-21T10:00')), responseBreach, '2026-11-23T12:00:00.000Z', RULES),
    ).toEqual({
      metAt: null,
      workingDaysLate: 2,
    }));
});
