import { londonDateOf, type Instant } from '../calendar/london-time';
import { codeInForceOn, type CodePolicy, type CodeVersion, type Stage } from '../policy/code-policy';
import type { ComplaintState, RemedyRecord } from './state';

/**
 * What a refusal cites (decision 0019): a provision in the numbering of the Code that governs what
 * is refused, and that Code's version. Where the version has no such provision, only the version:
 * the refusal then rests on the facts alone.
 */
export interface Citation {
  readonly provision?: string;
  readonly codeVersion: CodeVersion;
}

export function cite(policy: CodePolicy, provisionOf: (policy: CodePolicy) => string | null | undefined): Citation {
  const provision = provisionOf(policy);
  return provision ? { provision, codeVersion: policy.version } : { codeVersion: policy.version };
}

const inForceAt = (start: Instant) => codeInForceOn(londonDateOf(start));

/**
 * Decision 0003: stage 1 is governed by the Code in force at receipt, stage 2 by the one in force
 * at the escalation request; before there is one, stage 2 work is judged under stage 1's Code.
 */
export const stageCode = (complaint: ComplaintState, stage: Stage): CodePolicy =>
  inForceAt(stage === 2 && complaint.stage2 ? complaint.stage2.requestedAt : complaint.receivedAt);

/**
 * The Code an escalation and its refusal are judged under, as the findings judge a refusal: stage
 * 2's once escalation was requested, else the one in force when escalation was refused, else stage 1's.
 */
export const escalationCode = (complaint: ComplaintState): CodePolicy =>
  complaint.stage2
    ? stageCode(complaint, 2)
    : complaint.escalationRefusal
      ? inForceAt(complaint.escalationRefusal.decidedAt)
      : stageCode(complaint, 1);

/** A remedy is followed through under the Code in force when it was offered, as its deadline is. */
export const remedyCode = (remedy: RemedyRecord): CodePolicy => inForceAt(remedy.offeredAt);
