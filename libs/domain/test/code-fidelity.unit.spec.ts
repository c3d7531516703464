import { DateTime } from 'luxon';
import {
  assess,
  CODE_VERSIONS,
  foldEvents,
  isProvisionOf,
  stagePolicy,
  type CodePolicy,
  type ComplaintEvent,
  type ComplaintState,
  type Finding,
} from '../src';
import {
  acknowledged,
  escalated,
  escalationRefused,
  extended,
  handlerAssigned,
  notAccepted,
  received,
  remedyOffered,
  responded,
} from './support/builders';
import { RULES } from './support/decider-spec';

const addDays = (day: string, days: number) => DateTime.fromISO(day, { zone: 'utc' }).plus({ days }).toISODate()!;

/** Every provision a policy names, with where it names it. */
function provisionsOf(policy: CodePolicy): [string, string][] {
  const named: [string, string | null][] = [
    ['independentStage2Provision', policy.independentStage2Provision],
    ['exclusion.windowProvision', policy.exclusion.windowProvision],
    ['exclusion.ombudsmanRightProvision', policy.exclusion.ombudsmanRightProvision],
    ['exclusion.acceptanceProvision', policy.exclusion.acceptanceProvision],
    ['progressionProvision', policy.progressionProvision],
    ['escalationRefusalProvision', policy.escalationRefusalProvision],
    ['escalationRefusalExplanationProvision', policy.escalationRefusalExplanationProvision],
    ['remedyFollowThroughProvision', policy.remedyFollowThroughProvision],
    ['fullRecordProvision', policy.fullRecordProvision],
  ];
  for (const stage of [1, 2] as const) {
    const rules = stagePolicy(policy, stage);
    named.push(
      [`stage${stage}.acknowledgement`, rules.acknowledgement?.provision ?? null],
      [`stage${stage}.response`, rules.response.provision],
      [`stage${stage}.extension`, rules.extension.provision],
      [`stage${stage}.extension.ombudsmanDetails`, rules.extension.ombudsmanDetailsProvision],
      [`stage${stage}.responseContent`, rules.responseContentProvision],
      [`stage${stage}.definition`, rules.definitionProvision],
    );
  }
  return named.filter((entry): entry is [string, string] => entry[1] !== null);
}

/**
 * Complaints that break every rule the ledger raises findings for, with their clocks starting on
 * `day` (so under the Code in force then): late everything, an extension beyond the limit notified
 * late without the Ombudsman's details, responses missing every required item, the same handler at
 * both stages, a non-acceptance and a refused escalation without the right to go to the Ombudsman.
 */
function everyRuleBroken(day: string): ComplaintState[] {
  const at = (days: number) => `${addDays(day, days)}T10:00:00Z`;
  const full: ComplaintEvent[] = [
    received(at(0)),
    handlerAssigned(1, at(1), 'Alex'),
    extended(1, at(40), addDays(day, 120), { ombudsmanDetailsGiven: false }),
    responded(1, at(41), { decision: 'upheld', reasons: '  ', outstandingActions: undefined, escalationRightsGiven: false }),
    remedyOffered('r1', at(41), { dueBy: addDays(day, 45) }),
    remedyOffered('r2', at(41)),
    escalated(at(42)),
    acknowledged(2, at(60), { handler: 'Alex' }),
    responded(2, at(120), { decision: 'partly_upheld', reasons: undefined, outstandingActions: undefined, escalationRightsGiven: false }),
  ];
  const notAcceptedLate = [
    received(at(0), { issueOccurredAt: at(-30) }),
    notAccepted(at(2), { ground: 'over_12_months', ombudsmanRightExplained: false }),
  ];
  const refused = [
    received(at(0)),
    acknowledged(1, at(1)),
    responded(1, at(3)),
    escalationRefused(at(5), { ombudsmanRightExplained: false }),
  ];
  return [full, notAcceptedLate, refused].map((events) => foldEvents(events)!);
}

describe('Code fidelity: every provision cited exists in the Code version that governed it', () => {
  it.each(CODE_VERSIONS.map((policy) => [policy.version, policy] as const))('the %s policy names only its own provisions', (_, policy) => {
    const missing = provisionsOf(policy).filter(([, provision]) => !isProvisionOf(policy.version, provision));
    expect(missing).toEqual([]);
  });

  it.each([
    ['2020', '2021-06-01'],
    ['2022', '2023-06-01'],
    ['2024', '2024-06-03'],
  ])('given complaints breaking every rule under the %s Code, each finding cites a provision of that Code', (version, day) => {
    const findings: Finding[] = everyRuleBroken(day).flatMap((state) => assess(state, `${addDays(day, 400)}T12:00:00Z`, RULES).findings);
    const rules = new Set(findings.map((finding) => finding.rule));
    // the scenario really breaks the rules (a test that cannot fail would prove nothing)
    expect(rules).toEqual(
      new Set([
        'acknowledgement-late',
        'response-late',
        'remedy-overdue',
        'remedy-without-date',
        'extension-beyond-limit',
        'extension-notified-late',
        ...(version === '2024' ? ['extension-without-ombudsman-details', 'non-acceptance-inside-window'] : []),
        ...(version === '2020' ? [] : ['same-handler-both-stages']),
        'response-without-definition',
        'response-without-reasons',
        'response-without-remedy',
        'response-without-outstanding-actions',
        'response-without-escalation-rights',
        'non-acceptance-without-ombudsman-right',
        'escalation-refusal-without-ombudsman-right',
      ]),
    );
    const wrong = findings.filter((finding) => finding.codeVersion !== version || !isProvisionOf(finding.codeVersion, finding.provision));
    expect(wrong.map(({ rule, provision, codeVersion }) => ({ rule, provision, codeVersion }))).toEqual([]);
  });

  it('cites, for a refused escalation that did not explain the Ombudsman, the paragraph that asks for it in the Code of its day', () => {
    const cited = (day: string) =>
      assess(everyRuleBroken(day)[2]!, `${addDays(day, 400)}T12:00:00Z`, RULES)
        .findings.filter((finding) => finding.rule === 'escalation-refusal-without-ombudsman-right')
        .map((finding) => finding.provision);
    expect(cited('2021-06-01')).toEqual(['4.13']); // 2020: "provide information on referral to the Housing Ombudsman"
    expect(cited('2023-06-01')).toEqual(['5.9']); // 2022: "its reasons … as well as the resident's right to approach the Ombudsman"
    expect(cited('2024-06-03')).toEqual(['5.11']); // 2024: reasons complying with section 2 (2.4)
  });

  it('knows a provision from a number that is not one', () => {
    expect(isProvisionOf('2020', '1.9')).toBe(false);
    expect(isProvisionOf('2020', '1.7')).toBe(true);
    expect(isProvisionOf('2024', '6.9(d)')).toBe(true);
    expect(isProvisionOf('2022', '5.8(d)')).toBe(false);
    expect(isProvisionOf('2024', '6.21')).toBe(false);
  });

  it('cites the response-content provision for missing reasons, lettered only under the 2024 Code', () => {
    const cited = (day: string) =>
      assess(everyRuleBroken(day)[0]!, `${addDays(day, 400)}T12:00:00Z`, RULES)
        .findings.filter((finding) => finding.rule === 'response-without-reasons')
        .map((finding) => finding.provision);
    expect(cited('2021-06-01')).toEqual(['3.15', '3.15']);
    expect(cited('2023-06-01')).toEqual(['5.8', '5.16']);
    expect(cited('2024-06-03')).toEqual(['6.9(d)', '6.19(d)']);
  });

  it('cites the definition paragraph (3.4) for a 2020-Code response with no complaint definition, as its message does; the response-content item from 2022', () => {
    const cited = (day: string) =>
      assess(everyRuleBroken(day)[0]!, `${addDays(day, 400)}T12:00:00Z`, RULES)
        .findings.filter((finding) => finding.rule === 'response-without-definition')
        .map((finding) => [finding.provision, finding.message.match(/\(Code (.+)\)$/)?.[1]]);
    expect(cited('2021-06-01')).toEqual([['3.4', '3.4']]);
    expect(cited('2023-06-01')).toEqual([['5.8', '4.2']]);
    expect(cited('2024-06-03')).toEqual([['6.9(b)', '5.6']]);
  });
});
