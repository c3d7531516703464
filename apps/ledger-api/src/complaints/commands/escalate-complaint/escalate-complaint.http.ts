import { Instant, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class EscalateComplaintRequest {
  @Instant() requestedAt!: string;
  @Text(false, 2000, 'Optional: residents need not give reasons (Code 6.12)') reason?: string;
}

export const EscalateComplaintController = commandRoute({
  path: 'escalations',
  command: 'EscalateComplaint',
  request: EscalateComplaintRequest,
  summary: 'Record a request to escalate to stage 2 (Code 6.10, 6.11) — Escalated',
  example: { requestedAt: '2024-05-02T10:00:00+01:00' },
});
