import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  assess,
  decide,
  evolve,
  foldEvents,
  isDomainError,
  londonDateOf,
  WorkingCalendar,
  type ComplaintCommand,
  type ComplaintEvent,
  type Deadline,
  type State,
} from '../src';
import { COMPLAINT_ID } from './support/builders';

const calendar = new WorkingCalendar();
const rules = { calendar };
const NOW = '2029-06-30T12:00:00.000Z';

const step = fc.record({
  kind: fc.integer({ min: 0, max: 11 }),
  hours: fc.integer({ min: 1, max: 400 }),
  stage: fc.constantFrom(1 as const, 2 as const),
  flag: fc.boolean(),
  days: fc.integer({ min: 0, max: 30 }),
});

/** A random but possible history: random commands pushed through the decider, refusals skipped. */
const lifecycle = fc
  .record({
    receivedDay: fc.integer({ min: 0, max: 365 * 9 }),
    receivedMinute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
    representative: fc.boolean(),
    steps: fc.array(step, { maxLength: 14 }),
  })
  .map(({ receivedDay, receivedMinute, representative, steps }) => {
    let at = DateTime.utc(2019, 1, 1).plus({ days: receivedDay, minutes: receivedMinute });
    let ids = 0;
    const context = { now: NOW, newId: () => `r-${++ids}`, clockSkewMs: 0 };
    const events: ComplaintEvent[] = [];
    let state: State = null;
    const apply = (command: ComplaintCommand) => {
      const result = decide(command, state, context);
      if (isDomainError(result)) return;
      events.push(...result);
      state = result.reduce(evolve, state);
    };
    apply({
      type: 'ReceiveComplaint',
      data: {
        complaintId: COMPLAINT_ID,
        receivedAt: at.toISO()!,
        channel: 'phone',
        tenure: 'LCHO',
        category: 'damp',
        summary: 'Mould in bedroom',
        resident: { reference: 'R-9' },
        ...(representative ? { representative: { name: 'Advocate' } } : {}),
      },
    });
    for (const s of steps) {
      at = at.plus({ hours: s.hours });
      const when = at.toISO()!;
      const date = calendar.addWorkingDays(londonDateOf(when), s.days);
      const handler = s.flag ? 'H1' : `H${s.stage}`;
      const commands: ComplaintCommand[] = [
        { type: 'AcknowledgeComplaint', data: { stage: s.stage, acknowledgedAt: when, complaintDefinition: 'Mould', handler } },
        {
          type: 'ExtendDeadline',
          data: { stage: s.stage, notifiedAt: when, newDeadline: date, reason: 'Survey', ombudsmanDetailsGiven: s.flag },
        },
        { type: 'EscalateComplaint', data: { requestedAt: when } },
        {
          type: 'RespondToComplaint',
          data: {
            stage: s.stage,
            respondedAt: when,
            decision: s.flag ? 'upheld' : 'not_upheld',
            reasons: 'Because',
            escalationRightsGiven: s.flag,
            handler,
            ...(s.flag ? { remedies: [{ type: 'action', description: 'Treat mould', dueBy: date }] } : {}),
          },
        },
        { type: 'OfferRemedy', data: { offeredAt: when, type: 'apology', description: 'Sorry', dueBy: date } },
        { type: 'CompleteRemedy', data: { remedyId: `r-${Math.max(1, ids)}`, completedAt: when } },
        { type: 'WithdrawComplaint', data: { withdrawnAt: when } },
        {
          type: 'RecordNonAcceptance',
          data: { decidedAt: when, ground: 'over_12_months', explanation: 'Old', ombudsmanRightExplained: s.flag },
        },
        { type: 'RefuseEscalation', data: { decidedAt: when, ground: 'other', explanation: 'Resolved', ombudsmanRightExplained: s.flag } },
        { type: 'AssignHandler', data: { stage: s.stage, assignedAt: when, handler } },
        { type: 'AuthoriseRepresentative', data: { consentReceivedAt: when } },
        {
          type: 'RecordCorrespondence',
          data: { occurredAt: when, direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Called' },
        },
      ];
      apply(commands[s.kind]!);
    }
    return { events, end: at };
  });

const lateStatus = (d: Deadline) => d.status === 'breached' || d.status === 'met_late';
const key = (d: Deadline) => `${d.kind}/${d.stage}/${d.remedyId ?? ''}`;

describe('domain properties (fast-check)', () => {
  it('a deadline the Code sets (no extension chosen by the landlord) always falls on a working day', () => {
    fc.assert(
      fc.property(lifecycle, ({ events, end }) => {
        const state = foldEvents(events)!;
        return assess(state, end.toISO()!, rules)
          .deadlines.filter((d) => d.kind !== 'remedy' && !d.extensions && d.dueAt)
          .every((d) => calendar.isWorkingDay(londonDateOf(d.dueAt!)));
      }),
      { numRuns: 300 },
    );
  });

  it('evaluation is monotonic in time: a breach never un-breaches, lateness never shrinks, findings only accrue', () => {
    fc.assert(
      fc.property(lifecycle, fc.integer({ min: 0, max: 24 * 200 }), fc.integer({ min: 1, max: 24 * 200 }), ({ events }, a, b) => {
        const state = foldEvents(events)!;
        const start = DateTime.fromISO(state.receivedAt, { zone: 'utc' });
        const earlier = assess(state, start.plus({ hours: a }).toISO()!, rules);
        const later = assess(state, start.plus({ hours: a + b }).toISO()!, rules);
        const laterByKey = new Map(later.deadlines.map((d) => [key(d), d]));
        for (const deadline of earlier.deadlines.filter(lateStatus)) {
          const after = laterByKey.get(key(deadline));
          if (!after || !lateStatus(after) || after.workingDaysLate < deadline.workingDaysLate) return false;
        }
        const laterFindings = new Set(later.findings.map((f) => `${f.provision}/${f.rule}/${f.at}`));
        return earlier.findings.every((f) => laterFindings.has(`${f.provision}/${f.rule}/${f.at}`));
      }),
      { numRuns: 300 },
    );
  });

  it('folding events one by one, or in any two parts, equals folding them at once', () => {
    fc.assert(
      fc.property(lifecycle, fc.nat(), ({ events }, cut) => {
        const split = events.length ? cut % events.length : 0;
        const whole = foldEvents(events);
        let stepwise: State = null;
        for (const event of events) stepwise = evolve(stepwise, event);
        const inTwo = foldEvents(events.slice(split), foldEvents(events.slice(0, split)));
        expect(stepwise).toEqual(whole);
        expect(inTwo).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('assessing is pure: the same state and instant give the same answer', () => {
    fc.assert(
      fc.property(lifecycle, ({ events, end }) => {
        const state = foldEvents(events)!;
        expect(assess(state, end.toISO()!, rules)).toEqual(assess(structuredClone(state), end.toISO()!, rules));
      }),
      { numRuns: 100 },
    );
  });

  it('the decider never emits an event that evolve cannot fold, and every event keeps the complaint id', () => {
    fc.assert(
      fc.property(lifecycle, ({ events }) => events.every((e) => e.data.complaintId === COMPLAINT_ID) && foldEvents(events) !== null),
      { numRuns: 200 },
    );
  });
});

describe('assess at an instant is independent of the machine time zone', () => {
  it('uses London dates, not the process zone', () => {
    const state = foldEvents([
      {
        type: 'ComplaintReceived',
        data: {
          complaintId: 'x',
          receivedAt: '2024-05-01T22:30:00.000Z',
          channel: 'web',
          tenure: 'LCRA',
          category: 'c',
          summary: 's',
          resident: { reference: 'r' },
        },
      },
    ])!;
    // 22:30Z on 1 May is 23:30 BST, still 1 May in London: due 9 May (see timeline 01).
    expect(londonDateOf(assess(state, '2024-05-02T00:00:00Z', rules).deadlines[0]!.dueAt!)).toBe('2024-05-09');
  });
});
