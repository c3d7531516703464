import { CODE_VERSIONS, type CodePolicy, type StagePolicy, type Timescale } from './code-policy';

/**
 * Timescales a landlord has chosen to publish. They may be shorter than the Code's, never longer
 * (decision 0009; Code 2020 3.12). Absent values mean "the Code's own".
 */
export interface LandlordTimescales {
  readonly stage1AcknowledgementDays?: number;
  readonly stage1ResponseDays?: number;
  readonly stage1ExtensionDays?: number;
  readonly stage2AcknowledgementDays?: number;
  readonly stage2ResponseDays?: number;
  readonly stage2ExtensionDays?: number;
}

export interface TimescaleProblem {
  readonly setting: keyof LandlordTimescales;
  readonly message: string;
}

type Limit = { setting: keyof LandlordTimescales; pick: (policy: CodePolicy) => number | undefined };

const LIMITS: readonly Limit[] = [
  { setting: 'stage1AcknowledgementDays', pick: (p) => p.stage1.acknowledgement?.workingDays },
  { setting: 'stage1ResponseDays', pick: (p) => p.stage1.response.workingDays },
  { setting: 'stage1ExtensionDays', pick: (p) => p.stage1.extension.maxWorkingDays },
  { setting: 'stage2AcknowledgementDays', pick: (p) => p.stage2.acknowledgement?.workingDays },
  { setting: 'stage2ResponseDays', pick: (p) => p.stage2.response.workingDays },
  { setting: 'stage2ExtensionDays', pick: (p) => p.stage2.extension.maxWorkingDays },
];

/** Decision 0009: every problem with a landlord's timescales, so start-up can refuse with a clear message. */
export function checkLandlordTimescales(timescales: LandlordTimescales): TimescaleProblem[] {
  const statutory = CODE_VERSIONS[0]!;
  const problems: TimescaleProblem[] = [];
  for (const { setting, pick } of LIMITS) {
    const value = timescales[setting];
    if (value === undefined) continue;
    const codeLimit = pick(statutory)!;
    if (!Number.isInteger(value) || value < 1) {
      problems.push({ setting, message: `${setting} must be a whole number of working days ≥ 1 (got ${value})` });
    } else if (value > codeLimit) {
      problems.push({
        setting,
        message: `${setting}=${value} is longer than the Code allows (${codeLimit} working days); landlords may set shorter timescales, never longer`,
      });
    }
  }
  return problems;
}

/** A Code version with the landlord's shorter timescales applied; never lengthens a Code limit. */
export function withLandlordTimescales(policy: CodePolicy, timescales: LandlordTimescales): CodePolicy {
  return {
    ...policy,
    stage1: shorten(policy.stage1, timescales.stage1AcknowledgementDays, timescales.stage1ResponseDays, timescales.stage1ExtensionDays),
    stage2: shorten(policy.stage2, timescales.stage2AcknowledgementDays, timescales.stage2ResponseDays, timescales.stage2ExtensionDays),
  };
}

function shorten(stage: StagePolicy, ack?: number, response?: number, extension?: number): StagePolicy {
  return {
    ...stage,
    acknowledgement: stage.acknowledgement && shorter(stage.acknowledgement, ack),
    response: shorter(stage.response, response),
    extension: { ...stage.extension, maxWorkingDays: Math.min(stage.extension.maxWorkingDays, extension ?? Infinity) },
  };
}

function shorter(timescale: Timescale, days?: number): Timescale {
  return { ...timescale, workingDays: Math.min(timescale.workingDays, days ?? Infinity) };
}
