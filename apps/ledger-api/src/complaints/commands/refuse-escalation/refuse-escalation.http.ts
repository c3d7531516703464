import { EXCLUSION_GROUNDS } from '@complaint-ledger/domain';
import { Flag, Instant, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class RefuseEscalationRequest {
  @Instant() decidedAt!: string;
  @OneOf(EXCLUSION_GROUNDS) ground!: (typeof EXCLUSION_GROUNDS)[number];
  @Text(true, 5000) explanation!: string;
  @Flag(true, 'Whether the resident was told of their right to go to the Ombudsman (Code 2.4, 5.11)') ombudsmanRightExplained!: boolean;
}

export const RefuseEscalationController = commandRoute({
  path: 'escalation-refusals',
  command: 'RefuseEscalation',
  request: RefuseEscalationRequest,
  summary: 'Record a refusal to escalate (Code 5.11) — EscalationRefused',
  example: { decidedAt: '2024-05-02T10:00:00+01:00', ground: 'other', explanation: 'Outside the policy', ombudsmanRightExplained: true },
});
