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
  example: { withdrawnAt: '2024-05-02T10:00:00+01:00', reason: 'Sorted out' },
});
