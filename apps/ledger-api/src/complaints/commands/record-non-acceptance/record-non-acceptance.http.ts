import { EXCLUSION_GROUNDS } from '@complaint-ledger/domain';
import { Flag, Instant, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class RecordNonAcceptanceRequest {
  @Instant() decidedAt!: string;
  @OneOf(EXCLUSION_GROUNDS) ground!: (typeof EXCLUSION_GROUNDS)[number];
  @Text(true, 5000) explanation!: string;
  @Flag(true, 'Whether the resident was told of their right to go to the Ombudsman (Code 2.4)') ombudsmanRightExplained!: boolean;
}

export const RecordNonAcceptanceController = commandRoute({
  path: 'non-acceptance',
  command: 'RecordNonAcceptance',
  request: RecordNonAcceptanceRequest,
  summary: 'Record a decision not to accept the complaint (Code 2.1–2.4) — ComplaintNotAccepted',
  example: { decidedAt: '2024-05-02T10:00:00+01:00', ground: 'other', explanation: 'An insurance claim', ombudsmanRightExplained: true },
});
