import { Instant, Text } from '../../../http/dto-fields';

export class WithdrawComplaintRequest {
  @Instant() withdrawnAt!: string;
  @Text(false, 2000) reason?: string;
}
