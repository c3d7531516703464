import { toInstant, type Instant } from '../calendar/london-time';
import type { CodeVersion, Stage } from '../policy/code-policy';
import { currentStage, statusOf, type ComplaintState, type ComplaintStatus } from '../complaint/state';
import { evaluateDeadlines, type Deadline } from './deadlines';
import { findingsOf, type Finding } from './findings';
import { policyForClockStartingAt, type ComplianceRules } from './rules';

export interface Assessment {
  readonly asOf: Instant;
  readonly status: ComplaintStatus;
  readonly stage: Stage;
  /** The Code governing the current stage (decision 0003); each deadline carries its own. */
  readonly codeVersion: CodeVersion;
  readonly deadlines: Deadline[];
  readonly findings: Finding[];
}

/** The complaint's deadlines and findings as they stand at `asOf` (pure: the caller supplies the instant). */
export function assess(state: ComplaintState, asOf: Instant, rules: ComplianceRules): Assessment {
  const at = toInstant(asOf);
  const all = evaluateDeadlines(state, at, rules, { includeLapsed: true });
  const deadlines = all.filter((deadline) => !deadline.lapsed);
  const stageStart = state.stage2?.requestedAt ?? state.receivedAt;
  return {
    asOf: at,
    status: statusOf(state),
    stage: currentStage(state),
    codeVersion: policyForClockStartingAt(stageStart, rules).version,
    deadlines,
    findings: findingsOf(state, all, at, rules),
  };
}
