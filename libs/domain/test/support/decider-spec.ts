import {
  assess,
  decide,
  foldEvents,
  isDomainError,
  WorkingCalendar,
  type Assessment,
  type CodeVersion,
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

type Refusal = Partial<Pick<DomainError, 'kind'>> & { field?: string; provision?: string | null; codeVersion?: CodeVersion };

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
        /** `provision: null` expects none cited; `codeVersion` the Code the refusal was judged under. */
        thenFails(code: string, expected: Refusal = {}): void {
          if (!isDomainError(result)) throw new Error(`expected ${code}, got events ${JSON.stringify(result)}`);
          expect(result.code).toBe(code);
          if (expected.kind) expect(result.kind).toBe(expected.kind);
          if (expected.field) expect(result.details.field).toBe(expected.field);
          if (expected.provision !== undefined) expect(result.details.provision).toBe(expected.provision ?? undefined);
          if (expected.codeVersion) expect(result.details.codeVersion).toBe(expected.codeVersion);
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
