import { CHANNELS, DIRECTIONS, PARTIES } from '@complaint-ledger/domain';
import { DocumentIds, Instant, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class RecordCorrespondenceRequest {
  @Instant() occurredAt!: string;
  @OneOf(DIRECTIONS) direction!: (typeof DIRECTIONS)[number];
  @OneOf(PARTIES) party!: (typeof PARTIES)[number];
  @OneOf(CHANNELS) channel!: (typeof CHANNELS)[number];
  @Text(true, 5000) summary!: string;
  @Text(false, 200) documentRef?: string;
  @DocumentIds() documentIds?: string[];
}

export const RecordCorrespondenceController = commandRoute({
  path: 'correspondence',
  command: 'RecordCorrespondence',
  request: RecordCorrespondenceRequest,
  summary: 'Record correspondence for the full record (Code 5.12) — CorrespondenceRecorded',
  example: {
    occurredAt: '2024-05-02T10:00:00+01:00',
    direction: 'inbound',
    party: 'resident',
    channel: 'phone',
    summary: 'Called about the leak',
  },
});
