import { STAGES } from '@complaint-ledger/domain';
import { Instant, OneOf, Text } from '../../../http/dto-fields';

export class AssignHandlerRequest {
  @OneOf(STAGES) stage!: 1 | 2;
  @Instant() assignedAt!: string;
  @Text(true, 100) handler!: string;
}
