import { STAGES } from '@complaint-ledger/domain';
import { Instant, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class AssignHandlerRequest {
  @OneOf(STAGES) stage!: 1 | 2;
  @Instant() assignedAt!: string;
  @Text(true, 100) handler!: string;
}

export const AssignHandlerController = commandRoute({
  path: 'handlers',
  command: 'AssignHandler',
  request: AssignHandlerRequest,
  summary: 'Assign a handler to a stage (Code 6.13) — HandlerAssigned',
  example: { stage: 1, assignedAt: '2024-05-02T10:00:00+01:00', handler: 'H1' },
});
