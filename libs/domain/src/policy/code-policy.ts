import type { LocalDate } from '../calendar/london-time';

export type CodeVersion = '2020' | '2022' | '2024';
export type Stage = 1 | 2;

/** Where a clock starts. `acknowledgement` means the actual acknowledgement (decision 0004). */
export type ClockStart = 'receipt' | 'acknowledgement' | 'escalationRequest';

export interface Timescale {
  readonly workingDays: number;
  readonly from: ClockStart;
  readonly provision: string;
}

export interface ExtensionRule {
  /** Cumulative working days an extension may add without a good reason (decision 0005). */
  readonly maxWorkingDays: number;
  readonly provision: string;
  /** Provision requiring the Ombudsman's contact details with every extension notice; null where not required. */
  readonly ombudsmanDetailsProvision: string | null;
}

export interface StagePolicy {
  /** Null where that Code set no acknowledgement timescale for the stage (stage 2 before 2024, decision 0004). */
  readonly acknowledgement: Timescale | null;
  readonly response: Timescale;
  readonly extension: ExtensionRule;
  /** What the written response must contain (definition, decision, reasons, remedy, actions, escalation). */
  readonly responseContentProvision: string;
  /** Complaint definition recorded on acknowledgement. */
  readonly definitionProvision: string;
}

export interface CodePolicy {
  readonly version: CodeVersion;
  readonly title: string;
  /** First London date on which the version governs a clock that starts (decision 0003). */
  readonly inForceFrom: LocalDate;
  readonly stage1: StagePolicy;
  readonly stage2: StagePolicy;
  /** The stage 2 decision-maker must not be the stage 1 one; null where the Code did not say so. */
  readonly independentStage2Provision: string | null;
  readonly exclusion: {
    /** Calendar months from the issue (or awareness of it) within which complaints must be accepted. */
    readonly windowMonths: number | null;
    readonly windowProvision: string | null;
    /** Explain the refusal and the right to go to the Ombudsman. */
    readonly ombudsmanRightProvision: string;
    /** A complaint is accepted unless there is a valid reason not to: what a refusal of work on a complaint not accepted cites. */
    readonly acceptanceProvision: string;
  };
  /** A complaint goes to stage 2 only from stage 1: what a refusal of stage 2 work before a stage 1 response cites. */
  readonly progressionProvision: string;
  /** Escalation is refused only with valid reasons: what a refusal of an escalation cites. */
  readonly escalationRefusalProvision: string;
  /** A refused escalation is explained in writing with the right to go to the Ombudsman: what its finding cites. */
  readonly escalationRefusalExplanationProvision: string;
  readonly remedyFollowThroughProvision: string;
  readonly fullRecordProvision: string;
}

/**
 * The Housing Ombudsman's Complaint Handling Code (2020), superseded on 1 April 2022.
 * Source: the 2020 Code (docs/sources.md), paragraph 3.11 (timescales), 3.12 (shorter allowed), 3.15 (response content),
 * 3.4 (the landlord's understanding of the complaint: its definition), 1.4 (accept unless there is a
 * valid reason), 1.6/1.7 (not accepting: explain, and the right to bring it to the Ombudsman), 3.5
 * (progressed to the next stage when not resolved), 4.13 (not escalating: explain and give the
 * Ombudsman referral information), 5.8 (remedies: what and by when, followed through).
 */
export const CODE_2020: CodePolicy = {
  version: '2020',
  title: 'Complaint Handling Code (July 2020)',
  // Published July 2020; the yardstick for every earlier clock too (migrated history), as decision 0003 says.
  inForceFrom: '1990-01-01',
  stage1: {
    acknowledgement: { workingDays: 5, from: 'receipt', provision: '3.11' },
    response: { workingDays: 10, from: 'receipt', provision: '3.11' },
    extension: { maxWorkingDays: 10, provision: '3.11', ombudsmanDetailsProvision: null },
    responseContentProvision: '3.15',
    definitionProvision: '3.4',
  },
  stage2: {
    acknowledgement: null,
    response: { workingDays: 20, from: 'escalationRequest', provision: '3.11' },
    extension: { maxWorkingDays: 10, provision: '3.11', ombudsmanDetailsProvision: null },
    responseContentProvision: '3.15',
    definitionProvision: '3.4',
  },
  independentStage2Provision: null,
  exclusion: { windowMonths: null, windowProvision: null, ombudsmanRightProvision: '1.7', acceptanceProvision: '1.4' },
  progressionProvision: '3.5',
  escalationRefusalProvision: '4.13',
  escalationRefusalExplanationProvision: '4.13',
  remedyFollowThroughProvision: '5.8',
  fullRecordProvision: '3.10',
};

/**
 * The Code as revised in 2022 (1 April 2022 – 31 March 2024). Numbers from the left-hand column of
 * the 2022→2024 change guide (docs/sources.md): 4.1 acknowledge within five days, 5.1 response in 10 working days of logging
 * (+10 further), 5.13 stage 2 in 20 working days of escalation (+10 further), 5.12 independence,
 * 1.7 accept unless there is a valid reason, 1.9 not accepting (explain, and the right to go to the Ombudsman),
 * 5.11 escalate only once stage one is completed, 4.14 refusing to escalate, 6.5 remedies followed through.
 * Ombudsman details were then required only when an extension could not be agreed (5.3/5.15), which
 * the ledger cannot know, so it does not raise that finding under this version.
 */
export const CODE_2022: CodePolicy = {
  version: '2022',
  title: 'Complaint Handling Code (April 2022)',
  inForceFrom: '2022-04-01',
  stage1: {
    acknowledgement: { workingDays: 5, from: 'receipt', provision: '4.1' },
    response: { workingDays: 10, from: 'acknowledgement', provision: '5.1' },
    extension: { maxWorkingDays: 10, provision: '5.1', ombudsmanDetailsProvision: null },
    responseContentProvision: '5.8',
    definitionProvision: '4.2',
  },
  stage2: {
    acknowledgement: null,
    response: { workingDays: 20, from: 'escalationRequest', provision: '5.13' },
    extension: { maxWorkingDays: 10, provision: '5.13', ombudsmanDetailsProvision: null },
    responseContentProvision: '5.16',
    definitionProvision: '5.10',
  },
  independentStage2Provision: '5.12',
  exclusion: { windowMonths: null, windowProvision: null, ombudsmanRightProvision: '1.9', acceptanceProvision: '1.7' },
  progressionProvision: '5.11',
  escalationRefusalProvision: '4.14',
  // 5.9: "where a landlord declines to escalate … its reasons … as well as the resident's right to approach the Ombudsman"
  escalationRefusalExplanationProvision: '5.9',
  remedyFollowThroughProvision: '6.5',
  fullRecordProvision: '4.15',
};

/** The statutory Code, in force from 1 April 2024 (the 2022→2024 change guide's right-hand column, docs/sources.md). */
export const CODE_2024: CodePolicy = {
  version: '2024',
  title: 'Complaint Handling Code (statutory, 2024)',
  inForceFrom: '2024-04-01',
  stage1: {
    acknowledgement: { workingDays: 5, from: 'receipt', provision: '6.2' },
    response: { workingDays: 10, from: 'acknowledgement', provision: '6.3' },
    extension: { maxWorkingDays: 10, provision: '6.4', ombudsmanDetailsProvision: '6.5' },
    responseContentProvision: '6.9',
    definitionProvision: '5.6',
  },
  stage2: {
    acknowledgement: { workingDays: 5, from: 'escalationRequest', provision: '6.11' },
    response: { workingDays: 20, from: 'acknowledgement', provision: '6.14' },
    extension: { maxWorkingDays: 20, provision: '6.15', ombudsmanDetailsProvision: '6.16' },
    responseContentProvision: '6.19',
    definitionProvision: '5.6',
  },
  independentStage2Provision: '6.13',
  exclusion: { windowMonths: 12, windowProvision: '2.3', ombudsmanRightProvision: '2.4', acceptanceProvision: '2.1' },
  progressionProvision: '6.10',
  escalationRefusalProvision: '5.11',
  // 5.11: the reasons must comply with section 2, whose 2.4 asks for the right to go to the Ombudsman
  escalationRefusalExplanationProvision: '5.11',
  remedyFollowThroughProvision: '7.3',
  fullRecordProvision: '5.12',
};

/** Newest first, so the first whose start is on or before a date is the one in force. */
export const CODE_VERSIONS: readonly CodePolicy[] = [CODE_2024, CODE_2022, CODE_2020];

/** Decision 0003: the Code in force on the London date a stage's clock started governs that stage. */
export function codeInForceOn(date: LocalDate, versions: readonly CodePolicy[] = CODE_VERSIONS): CodePolicy {
  const policy = versions.find((candidate) => candidate.inForceFrom <= date);
  if (!policy) throw new RangeError(`no Complaint Handling Code version covers ${date}`);
  return policy;
}

export function stagePolicy(policy: CodePolicy, stage: Stage): StagePolicy {
  return stage === 1 ? policy.stage1 : policy.stage2;
}
