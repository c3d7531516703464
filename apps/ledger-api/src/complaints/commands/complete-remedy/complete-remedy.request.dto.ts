import { Instant, Text } from '../../../http/dto-fields';

export class CompleteRemedyRequest {
  @Instant() completedAt!: string;
  @Text(false, 2000) notes?: string;
}
