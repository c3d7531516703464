import { Instant, Text } from '../../../http/dto-fields';

export class EscalateComplaintRequest {
  @Instant() requestedAt!: string;
  @Text(false, 2000, 'Optional: residents need not give reasons (Code 6.12)') reason?: string;
}
