import type { WorkingCalendar } from '../calendar/working-calendar';
import { londonDateOf, type Instant } from '../calendar/london-time';
import { CODE_VERSIONS, codeInForceOn, type CodePolicy } from '../policy/code-policy';
import { withLandlordTimescales, type LandlordTimescales } from '../policy/landlord-timescales';

/** What compliance is measured against: the calendar, the Code versions, a landlord's shorter timescales. */
export interface ComplianceRules {
  readonly calendar: WorkingCalendar;
  readonly versions?: readonly CodePolicy[];
  readonly landlordTimescales?: LandlordTimescales;
}

/** Decisions 0003 and 0009: the Code in force when a clock started, with the landlord's shorter timescales applied. */
export function policyForClockStartingAt(start: Instant, rules: ComplianceRules): CodePolicy {
  const policy = codeInForceOn(londonDateOf(start), rules.versions ?? CODE_VERSIONS);
  return rules.landlordTimescales ? withLandlordTimescales(policy, rules.landlordTimescales) : policy;
}

/**
 * The Code's own policy for a clock, without the landlord's shorter timescales: what CH02 measures
 * ("responded to within Complaint Handling Code timescales", whatever the landlord publishes).
 */
export function codePolicyForClockStartingAt(start: Instant, rules: ComplianceRules): CodePolicy {
  return codeInForceOn(londonDateOf(start), rules.versions ?? CODE_VERSIONS);
}
