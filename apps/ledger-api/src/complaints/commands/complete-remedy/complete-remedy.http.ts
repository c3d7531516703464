import { Instant, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class CompleteRemedyRequest {
  @Instant() completedAt!: string;
  @Text(false, 2000) notes?: string;
}

export const CompleteRemedyController = commandRoute({
  path: 'remedies/:remedyId/completion',
  command: 'CompleteRemedy',
  request: CompleteRemedyRequest,
  fromPath: ['remedyId'],
  summary: 'Record a remedy followed through to completion (Code 7.3) — RemedyCompleted',
  example: { completedAt: '2024-05-20T10:00:00+01:00', notes: 'Paid' },
});
