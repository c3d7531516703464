import {
  assess,
  decide,
  foldEvents,
  isDomainError,
  WorkingCalendar,
  type Assessment,
  type ComplaintCommand,
  type ComplaintEvent,
  type ComplianceRules,
  type DecisionContext,
  type DomainError,
} from '../../src';

/** "Now" for every decision in the tests, unless a spec says otherwise. */
export const NOW = '2026-11-23T12:00:00.000Z';
export const RULES: ComplianceRules = { calendar: new WorkingCalendar() };

export function fixedContext(now = NOW): DecisionContext {
  let next = 0;
  return { now, newId: () => `remedy-${++next}`, clockSkewMs: 0 };
}

/**
 * Given/when/then for the decider: given past events, when a command, then new events
 * or a typed error. `thenAssess` checks what the Code makes of the resulting record.
 */
export function given(...events: ComplaintEvent[]) {
  return {
    when(command: ComplaintCommand, context: DecisionContext = fixedContext()) {
      const result = decide(command, foldEvents(events), context);
      return {
        then(expected: ComplaintEvent[]): void {
          if (isDomainError(result)) throw new Error(`expected events, got ${result.code}: ${result.message}`);
          expect(result).toEqual(expected);
        },
        thenFails(code: string, expected: Partial<Pick<DomainError, 'kind'>> & { field?: string; provision?: string } = {}): void {
          if (!isDomainError(result)) throw new Error(`expected ${code}, got events ${JSON.stringify(result)}`);
          expect(result.code).toBe(code);
          if (expected.kind) expect(result.kind).toBe(expected.kind);
          if (expected.field) expect(result.details.field).toBe(expected.field);
          if (expected.provision) expect(result.details.provision).toBe(expected.provision);
        },
      };
    },
    assessedAt(asOf: string, rules: ComplianceRules = RULES): Assessment {
      const state = foldEvents(events);
      if (!state) throw new Error('no complaint in the given events');
      return assess(state, asOf, rules);
    },
  };
}

/** The context the deadline detector decides in: the calendar, a two-day warning, and an optional grace period. */
export const sweepContext = (now: string, breachGraceWorkingDays = 0): DecisionContext => ({
  ...fixedContext(now),
  compliance: { rules: RULES, alerts: { warningWorkingDays: 2, breachGraceWorkingDays } },
});
