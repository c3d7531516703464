import { Instant, LocalDay, Text } from '../../../http/dto-fields';

export class RecordReasonableAdjustmentRequest {
  @Instant() recordedAt!: string;
  @Text(true, 2000) adjustment!: string;
  @Text(false, 2000) disclosedNeeds?: string;
  @LocalDay(false, 'When the adjustment is next reviewed (Code 5.10)') reviewBy?: string;
}
