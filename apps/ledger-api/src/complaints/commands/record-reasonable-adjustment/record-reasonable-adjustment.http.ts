import { Instant, LocalDay, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class RecordReasonableAdjustmentRequest {
  @Instant() recordedAt!: string;
  @Text(true, 2000) adjustment!: string;
  @Text(false, 2000) disclosedNeeds?: string;
  @LocalDay(false, 'When the adjustment is next reviewed (Code 5.10)') reviewBy?: string;
}

export const RecordReasonableAdjustmentController = commandRoute({
  path: 'reasonable-adjustments',
  command: 'RecordReasonableAdjustment',
  request: RecordReasonableAdjustmentRequest,
  summary: 'Record a reasonable adjustment and disclosed needs (Code 5.10) — ReasonableAdjustmentRecorded',
  example: { recordedAt: '2024-05-02T10:00:00+01:00', adjustment: 'Large print letters', reviewBy: '2024-12-01' },
});
