import { STAGES } from '@complaint-ledger/domain';
import { Instant, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class AcknowledgeComplaintRequest {
  @OneOf(STAGES) stage!: 1 | 2;
  @Instant() acknowledgedAt!: string;
  @Text(true, 5000, 'The complaint definition (Code 5.6)') complaintDefinition!: string;
  @Text(false, 2000) outcomesSought?: string;
  @Text(false, 100, 'Staff reference of the handler (Code 6.13)') handler?: string;
  @Text(false, 2000, 'What the landlord is and is not responsible for (Code 5.7)') responsibilityNotes?: string;
}

export const AcknowledgeComplaintController = commandRoute({
  path: 'acknowledgements',
  command: 'AcknowledgeComplaint',
  request: AcknowledgeComplaintRequest,
  summary: 'Acknowledge, define and log a stage (Code 6.2, 6.11, 5.6) — Acknowledged',
  example: { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak under the sink; wants a repair' },
});
