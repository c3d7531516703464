import { Instant, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class WithdrawComplaintRequest {
  @Instant() withdrawnAt!: string;
  @Text(false, 2000) reason?: string;
}

export const WithdrawComplaintController = commandRoute({
  path: 'withdrawal',
  command: 'WithdrawComplaint',
  request: WithdrawComplaintRequest,
  summary: 'Record the resident withdrawing the complaint — ComplaintWithdrawn',
});
