import { CHANNELS, DIRECTIONS, PARTIES } from '@complaint-ledger/domain';
import { Instant, OneOf, Text } from '../../../http/dto-fields';

export class RecordCorrespondenceRequest {
  @Instant() occurredAt!: string;
  @OneOf(DIRECTIONS) direction!: (typeof DIRECTIONS)[number];
  @OneOf(PARTIES) party!: (typeof PARTIES)[number];
  @OneOf(CHANNELS) channel!: (typeof CHANNELS)[number];
  @Text(true, 5000) summary!: string;
  @Text(false, 200) documentRef?: string;
}
