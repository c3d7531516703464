import { addCalendarMonths, isAfter, latestOf, londonDateOf, type Instant } from '../calendar/london-time';
import { stagePolicy, type CodePolicy, type CodeVersion, type Stage } from '../policy/code-policy';
import type { ComplaintState, Decided, StageRecord } from '../complaint/state';
import type { Deadline } from './deadlines';
import type { DeadlineKind } from '../complaint/vocabulary';
import { policyForClockStartingAt, type ComplianceRules } from './rules';

export type Severity = 'breach' | 'warning' | 'info';

/** Something the Code forbids that happened: recorded, never refused (docs/architecture.md, principle 1). */
export interface Finding {
  readonly provision: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** When it became true. */
  readonly at: Instant;
  readonly stage?: Stage;
  readonly codeVersion: CodeVersion;
}

const LATE_RULES: Record<DeadlineKind, { rule: string; what: string }> = {
  acknowledgement: { rule: 'acknowledgement-late', what: 'Stage 1 acknowledgement' },
  stage1Response: { rule: 'response-late', what: 'Stage 1 response' },
  stage2Acknowledgement: { rule: 'acknowledgement-late', what: 'Stage 2 acknowledgement' },
  stage2Response: { rule: 'response-late', what: 'Stage 2 response' },
  remedy: { rule: 'remedy-overdue', what: 'Remedy' },
};

/** Every finding on the complaint as it stands at `asOf`, oldest first. */
export function findingsOf(state: ComplaintState, deadlines: readonly Deadline[], asOf: Instant, rules: ComplianceRules): Finding[] {
  const known = (at: Instant) => !isAfter(at, asOf);
  const stage1Policy = policyForClockStartingAt(state.receivedAt, rules);
  const stage2Policy = state.stage2 && policyForClockStartingAt(state.stage2.requestedAt, rules);
  const findings: Finding[] = [
    ...deadlines.flatMap(lateness),
    ...deadlines.flatMap(extensionFindings),
    ...responseContent(state.stage1, 1, stage1Policy, known),
    ...(state.stage2 && stage2Policy ? responseContent(state.stage2, 2, stage2Policy, known) : []),
    ...(state.stage2 && stage2Policy ? independence(state.stage1, state.stage2, stage2Policy, known) : []),
    ...(state.nonAcceptance && known(state.nonAcceptance.decidedAt) ? nonAcceptance(state, state.nonAcceptance, stage1Policy) : []),
    ...(state.escalationRefusal && known(state.escalationRefusal.decidedAt)
      ? escalationRefusal(state.escalationRefusal, stage2Policy ?? policyForClockStartingAt(state.escalationRefusal.decidedAt, rules))
      : []),
    ...remediesWithoutDate(state, rules, known),
    ...corrections(state, stage1Policy),
  ];
  return findings.sort((a, b) => (a.at === b.at ? a.provision.localeCompare(b.provision) : a.at < b.at ? -1 : 1));
}

// Code 6.2/6.3/6.11/6.14 (and their 2020/2022 equivalents), 7.3 for remedies.
function lateness(deadline: Deadline): Finding[] {
  if ((deadline.status !== 'met_late' && deadline.status !== 'breached') || !deadline.dueAt) return [];
  const { rule, what } = LATE_RULES[deadline.kind];
  const due = londonDateOf(deadline.dueAt);
  const days = `${deadline.workingDaysLate} working day${deadline.workingDaysLate === 1 ? '' : 's'}`;
  const message =
    deadline.status === 'met_late'
      ? `${what} due ${due} was made ${days} late (Code ${deadline.provision})`
      : `${what} due ${due} has not been made: ${days} overdue (Code ${deadline.provision})`;
  return [
    {
      provision: deadline.provision,
      rule,
      severity: 'breach',
      message,
      at: deadline.dueAt,
      stage: deadline.stage,
      codeVersion: deadline.codeVersion,
    },
  ];
}

// Code 6.4/6.5 at stage 1, 6.15/6.16 at stage 2 (decision 0005).
function extensionFindings(deadline: Deadline): Finding[] {
  return (deadline.extensions ?? []).flatMap((assessment) => {
    const { extension, rule } = assessment;
    const base = { at: extension.notifiedAt, stage: deadline.stage, codeVersion: deadline.codeVersion };
    const findings: Finding[] = [];
    if (assessment.beyondLimit) {
      findings.push({
        ...base,
        provision: rule.provision,
        rule: 'extension-beyond-limit',
        severity: extension.goodReason ? 'warning' : 'breach',
        message: extension.goodReason
          ? `Extension to ${extension.newDeadline} adds ${assessment.workingDays} working days, beyond the ${assessment.limit} allowed; a good reason is recorded with the extension`
          : `Extension to ${extension.newDeadline} adds ${assessment.workingDays} working days, beyond the ${assessment.limit} allowed, with no good reason recorded`,
      });
    }
    if (assessment.notifiedLate) {
      findings.push({
        ...base,
        provision: rule.provision,
        rule: 'extension-notified-late',
        severity: 'breach',
        message: `Extension to ${extension.newDeadline} was notified after the deadline had passed; it does not count toward the Code's timescale`,
      });
    }
    if (assessment.ombudsmanDetailsMissing && rule.ombudsmanDetailsProvision) {
      findings.push({
        ...base,
        provision: rule.ombudsmanDetailsProvision,
        rule: 'extension-without-ombudsman-details',
        severity: 'breach',
        message: `Extension to ${extension.newDeadline} was notified without the Ombudsman's contact details`,
      });
    }
    return findings;
  });
}

// Code 6.9 (stage 1) and 6.19 (stage 2): what a written response must contain.
function responseContent(record: StageRecord, stage: Stage, policy: CodePolicy, known: (at: Instant) => boolean): Finding[] {
  const response = record.response;
  if (!response || !known(response.at)) return [];
  const rules = stagePolicy(policy, stage);
  const item = (letter: string) =>
    policy.version === '2024' ? `${rules.responseContentProvision}(${letter})` : rules.responseContentProvision;
  const base = { at: response.at, stage, codeVersion: policy.version };
  const findings: Finding[] = [];
  if (!record.acknowledgement) {
    findings.push({
      ...base,
      // the 2020 Code's list of what a response says (3.15) has no complaint definition: its own paragraph (3.4) is cited
      provision: policy.version === '2020' ? rules.definitionProvision : item('b'),
      rule: 'response-without-definition',
      severity: 'warning',
      message: `Stage ${stage} response was issued with no complaint definition recorded (Code ${rules.definitionProvision})`,
    });
  }
  if (!response.reasons?.trim()) {
    findings.push({
      ...base,
      provision: item('d'),
      rule: 'response-without-reasons',
      severity: 'breach',
      message: `Stage ${stage} response gave no reasons for its decision`,
    });
  }
  if (response.decision !== 'not_upheld' && response.remedyIds.length === 0) {
    findings.push({
      ...base,
      provision: item('e'),
      rule: 'response-without-remedy',
      severity: 'warning',
      message: `Stage ${stage} response ${response.decision === 'upheld' ? 'upheld' : 'partly upheld'} the complaint but offered no remedy`,
    });
  }
  if (response.outstandingActions === undefined) {
    findings.push({
      ...base,
      provision: item('f'),
      rule: 'response-without-outstanding-actions',
      severity: 'warning',
      message: `Stage ${stage} response did not state the outstanding actions (or that there are none)`,
    });
  }
  if (!response.escalationRightsGiven) {
    findings.push({
      ...base,
      provision: item('g'),
      rule: 'response-without-escalation-rights',
      severity: 'breach',
      message:
        stage === 1
          ? 'Stage 1 response did not explain how to escalate to stage 2'
          : 'Stage 2 response did not explain how to refer the complaint to the Housing Ombudsman',
    });
  }
  return findings;
}

/**
 * Code 7.3 (2022: 6.5; 2020: 5.8): a remedy offer sets out what will happen and by when. An offer
 * recorded without a due date is a warning (the letter may have said it; the record does not); a
 * remedy done the day it was offered (an apology in the response) needed no date.
 */
function remediesWithoutDate(state: ComplaintState, rules: ComplianceRules, known: (at: Instant) => boolean): Finding[] {
  return state.remedies.flatMap((remedy) => {
    if (remedy.dueBy || !known(remedy.offeredAt)) return [];
    const completed = remedy.completedAt && known(remedy.completedAt) ? remedy.completedAt : null;
    if (completed && londonDateOf(completed) === londonDateOf(remedy.offeredAt)) return [];
    const policy = policyForClockStartingAt(remedy.offeredAt, rules);
    const provision = policy.remedyFollowThroughProvision;
    return [
      {
        provision,
        rule: 'remedy-without-date',
        severity: 'warning' as const,
        message: `Stage ${remedy.stage} remedy (${remedy.type}) was offered without a date by which it will be done (Code ${provision})`,
        at: remedy.offeredAt,
        stage: remedy.stage,
        codeVersion: policy.version,
      },
    ];
  });
}

// Code 6.13: the stage 2 decision-maker must not be the person who considered stage 1.
function independence(stage1: StageRecord, stage2: StageRecord, policy: CodePolicy, known: (at: Instant) => boolean): Finding[] {
  if (!policy.independentStage2Provision) return [];
  const stage1Handlers = new Set(stage1.handlers.filter((h) => known(h.at)).map((h) => h.handler));
  const repeated = stage2.handlers.find((h) => known(h.at) && stage1Handlers.has(h.handler));
  if (!repeated) return [];
  return [
    {
      provision: policy.independentStage2Provision,
      rule: 'same-handler-both-stages',
      severity: 'breach',
      message: `${repeated.handler} handled stage 2 having also considered the complaint at stage 1`,
      at: repeated.at,
      stage: 2,
      codeVersion: policy.version,
    },
  ];
}

// Code 2.3 (12-month window, decision 0008) and 2.4 (explain, and the right to go to the Ombudsman).
function nonAcceptance(state: ComplaintState, decision: Decided, policy: CodePolicy): Finding[] {
  const base = { at: decision.decidedAt, stage: 1 as const, codeVersion: policy.version };
  const findings: Finding[] = [];
  const { windowMonths, windowProvision, ombudsmanRightProvision } = policy.exclusion;
  if (decision.ground === 'over_12_months' && windowMonths && windowProvision) {
    const aware = [state.issueOccurredAt, state.residentAwareAt].filter((at): at is Instant => at !== undefined);
    if (aware.length === 0) {
      findings.push({
        ...base,
        provision: windowProvision,
        rule: 'exclusion-window-unverifiable',
        severity: 'info',
        message: 'Not accepted as over 12 months old, but neither the issue date nor the date the resident became aware is recorded',
      });
    } else {
      const windowEnds = addCalendarMonths(londonDateOf(aware.reduce(latestOf)), windowMonths);
      if (londonDateOf(state.receivedAt) <= windowEnds) {
        findings.push({
          ...base,
          provision: windowProvision,
          rule: 'non-acceptance-inside-window',
          severity: 'breach',
          message: `Not accepted as over 12 months old, but it was received within ${windowMonths} months of the issue or the resident becoming aware (window ends ${windowEnds})`,
        });
      }
    }
  }
  if (!decision.ombudsmanRightExplained) {
    findings.push({
      ...base,
      provision: ombudsmanRightProvision,
      rule: 'non-acceptance-without-ombudsman-right',
      severity: 'breach',
      message: "The decision not to accept the complaint did not explain the resident's right to take it to the Ombudsman",
    });
  }
  return findings;
}

// Code 5.11: refusals to escalate follow section 2, including the right to go to the Ombudsman (2.4).
function escalationRefusal(decision: Decided, policy: CodePolicy): Finding[] {
  if (decision.ombudsmanRightExplained) return [];
  return [
    {
      provision: policy.escalationRefusalExplanationProvision,
      rule: 'escalation-refusal-without-ombudsman-right',
      severity: 'breach',
      message: "The refusal to escalate did not explain the resident's right to take that decision to the Ombudsman",
      at: decision.decidedAt,
      stage: 2,
      codeVersion: policy.version,
    },
  ];
}

// Code 5.12 (a full record): every correction is on the record, and an auditor sees each one.
function corrections(state: ComplaintState, policy: CodePolicy): Finding[] {
  return state.corrections.map((correction) => ({
    provision: policy.fullRecordProvision,
    rule: 'fact-corrected',
    severity: 'info' as const,
    message: `${correction.correctedType} at revision ${correction.correctedRevision} was ${correction.voided ? 'voided' : 'corrected'} by revision ${correction.revision}`,
    at: correction.correctedAt,
    codeVersion: policy.version,
  }));
}
