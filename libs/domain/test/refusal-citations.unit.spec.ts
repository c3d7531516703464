import { DateTime } from 'luxon';
import { isProvisionOf, type CodeVersion, type ComplaintCommand, type ComplaintEvent } from '../src';
import {
  acknowledged,
  escalated,
  escalationRefused,
  notAccepted,
  received,
  remedyCompleted,
  remedyOffered,
  responded,
} from './support/builders';
import { given } from './support/decider-spec';

/**
 * Decision 0019: a refusal that cites the Code cites it in the numbering of the Code that governs
 * what it refuses (decision 0003), names that version, and cites nothing where the version has no
 * such provision. Each complaint below has its clocks start on a day under one version.
 */
const DAYS: Record<CodeVersion, string> = { '2020': '2021-06-01', '2022': '2023-06-01', '2024': '2024-06-03' };

const on = (version: CodeVersion) => {
  const at = (days: number) => `${DateTime.fromISO(DAYS[version], { zone: 'utc' }).plus({ days }).toISODate()!}T10:00:00Z`;
  const answered = [received(at(0)), acknowledged(1, at(1)), responded(1, at(3))];
  return { at, answered };
};

const acknowledge = (stage: 1 | 2, acknowledgedAt: string): ComplaintCommand => ({
  type: 'AcknowledgeComplaint',
  data: { stage, acknowledgedAt, complaintDefinition: 'The leak has not been repaired' },
});
const decision = { ground: 'other' as const, explanation: 'Resolved at stage 1', ombudsmanRightExplained: true };

interface Case {
  readonly refusal: string;
  readonly code: string;
  readonly cites: Readonly<Record<CodeVersion, string | null>>;
  readonly scenario: (version: CodeVersion) => { given: ComplaintEvent[]; when: ComplaintCommand };
}

/** Every refusal that cites a provision, with what each version numbers it (null: that version has none). */
const CASES: readonly Case[] = [
  {
    refusal: 'a second stage 1 acknowledgement',
    code: 'STAGE.ALREADY_ACKNOWLEDGED',
    cites: { '2020': '3.11', '2022': '4.1', '2024': '6.2' },
    scenario: (v) => ({ given: [received(on(v).at(0)), acknowledged(1, on(v).at(1))], when: acknowledge(1, on(v).at(2)) }),
  },
  {
    refusal: 'a second stage 2 acknowledgement',
    code: 'STAGE.ALREADY_ACKNOWLEDGED',
    // only the 2024 Code sets a stage 2 acknowledgement (decision 0004)
    cites: { '2020': null, '2022': null, '2024': '6.11' },
    scenario: (v) => ({
      given: [...on(v).answered, escalated(on(v).at(5)), acknowledged(2, on(v).at(6))],
      when: acknowledge(2, on(v).at(7)),
    }),
  },
  {
    refusal: 'an escalation before the stage 1 response',
    code: 'ESCALATION.STAGE1_NOT_RESPONDED',
    cites: { '2020': '3.5', '2022': '5.11', '2024': '6.10' },
    scenario: (v) => ({ given: [received(on(v).at(0))], when: { type: 'EscalateComplaint', data: { requestedAt: on(v).at(2) } } }),
  },
  {
    refusal: 'refusing an escalation before the stage 1 response',
    code: 'ESCALATION.STAGE1_NOT_RESPONDED',
    cites: { '2020': '3.5', '2022': '5.11', '2024': '6.10' },
    scenario: (v) => ({
      given: [received(on(v).at(0))],
      when: { type: 'RefuseEscalation', data: { decidedAt: on(v).at(2), ...decision } },
    }),
  },
  {
    refusal: 'stage 2 work before any escalation',
    code: 'STAGE.NOT_STARTED',
    cites: { '2020': '3.5', '2022': '5.11', '2024': '6.10' },
    scenario: (v) => ({ given: on(v).answered, when: acknowledge(2, on(v).at(5)) }),
  },
  {
    refusal: 'an escalation once escalation was refused',
    code: 'ESCALATION.REFUSED',
    cites: { '2020': '4.13', '2022': '4.14', '2024': '5.11' },
    scenario: (v) => ({
      given: [...on(v).answered, escalationRefused(on(v).at(5))],
      when: { type: 'EscalateComplaint', data: { requestedAt: on(v).at(6) } },
    }),
  },
  {
    refusal: 'stage 2 work on an escalation request that was refused',
    code: 'ESCALATION.REFUSED',
    cites: { '2020': '4.13', '2022': '4.14', '2024': '5.11' },
    scenario: (v) => ({
      given: [...on(v).answered, escalated(on(v).at(5)), escalationRefused(on(v).at(6))],
      when: acknowledge(2, on(v).at(7)),
    }),
  },
  {
    refusal: 'not accepting a complaint answered at stage 1',
    code: 'NON_ACCEPTANCE.AFTER_RESPONSE',
    cites: { '2020': '4.13', '2022': '4.14', '2024': '5.11' },
    scenario: (v) => ({ given: on(v).answered, when: { type: 'RecordNonAcceptance', data: { decidedAt: on(v).at(5), ...decision } } }),
  },
  {
    refusal: 'work on a complaint not accepted',
    code: 'COMPLAINT.NOT_ACCEPTED',
    cites: { '2020': '1.4', '2022': '1.7', '2024': '2.1' },
    scenario: (v) => ({ given: [received(on(v).at(0)), notAccepted(on(v).at(1))], when: acknowledge(1, on(v).at(2)) }),
  },
  {
    refusal: 'completing a remedy twice',
    code: 'REMEDY.ALREADY_COMPLETED',
    cites: { '2020': '5.8', '2022': '6.5', '2024': '7.3' },
    scenario: (v) => ({
      given: [...on(v).answered, remedyOffered('r-1', on(v).at(3)), remedyCompleted('r-1', on(v).at(8))],
      when: { type: 'CompleteRemedy', data: { remedyId: 'r-1', completedAt: on(v).at(9) } },
    }),
  },
];

const VERSIONS: readonly CodeVersion[] = ['2020', '2022', '2024'];

describe('refusals cite the Code of the complaint they refuse (decision 0019)', () => {
  describe.each(CASES.map((c) => [c.refusal, c] as const))('%s', (_, { code, cites, scenario }) => {
    it.each(VERSIONS.map((version) => [version, cites[version] ?? 'nothing: it has no such provision', cites[version]] as const))(
      'under the %s Code cites %s',
      (version, _cited, provision) => {
        const { given: events, when } = scenario(version);
        given(...events)
          .when(when)
          .thenFails(code, { kind: 'conflict', provision, codeVersion: version });
        // checked against that version's own list of provisions (policy/provisions.ts)
        if (provision !== null) expect(isProvisionOf(version, provision)).toBe(true);
      },
    );
  });

  it('judges each stage under its own Code: a 2022-Code stage 1 and a 2024-Code stage 2', () => {
    const stages = [
      received('2024-03-25T10:00'),
      acknowledged(1, '2024-03-26T10:00'),
      responded(1, '2024-04-05T10:00'),
      escalated('2024-04-15T10:00'),
      acknowledged(2, '2024-04-16T10:00'),
    ];
    given(...stages)
      .when(acknowledge(1, '2024-04-17T10:00'))
      .thenFails('STAGE.ALREADY_ACKNOWLEDGED', { provision: '4.1', codeVersion: '2022' });
    given(...stages)
      .when(acknowledge(2, '2024-04-17T10:00'))
      .thenFails('STAGE.ALREADY_ACKNOWLEDGED', { provision: '6.11', codeVersion: '2024' });
  });

  it('judges a refused escalation with no request under the Code in force when it was refused, as its finding is', () =>
    given(
      received('2024-03-25T10:00'),
      acknowledged(1, '2024-03-26T10:00'),
      responded(1, '2024-03-28T10:00'),
      escalationRefused('2024-04-02T10:00'),
    )
      .when({ type: 'EscalateComplaint', data: { requestedAt: '2024-04-03T10:00' } })
      .thenFails('ESCALATION.REFUSED', { provision: '5.11', codeVersion: '2024' }));
});
