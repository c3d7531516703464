import { STAGES } from '@complaint-ledger/domain';
import { Flag, Instant, LocalDay, OneOf, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class ExtendDeadlineRequest {
  @OneOf(STAGES) stage!: 1 | 2;
  @Instant() notifiedAt!: string;
  @LocalDay(true, 'The new response date given to the resident') newDeadline!: string;
  @Text(true, 2000) reason!: string;
  @Flag(true, "Whether the notice gave the Ombudsman's contact details (Code 6.5, 6.16)") ombudsmanDetailsGiven!: boolean;
  @Text(false, 2000, 'Recorded good reason for going beyond the limit (Code 6.4, 6.15)') goodReason?: string;
}

export const ExtendDeadlineController = commandRoute({
  path: 'extensions',
  command: 'ExtendDeadline',
  request: ExtendDeadlineRequest,
  summary: 'Record an extension notified to the resident (Code 6.4, 6.5, 6.15, 6.16) — Extended',
  example: {
    stage: 1,
    notifiedAt: '2024-05-02T10:00:00+01:00',
    newDeadline: '2024-05-30',
    reason: 'Survey needed',
    ombudsmanDetailsGiven: true,
  },
});
