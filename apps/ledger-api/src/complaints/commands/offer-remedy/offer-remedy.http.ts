import { REMEDY_TYPES } from '@complaint-ledger/domain';
import { Instant, LocalDay, OneOf, Text, Pence } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class OfferRemedyRequest {
  @Instant() offeredAt!: string;
  @OneOf(REMEDY_TYPES) type!: (typeof REMEDY_TYPES)[number];
  @Text(true, 2000) description!: string;
  @Pence(false, 'Financial remedies, in pence') amountPence?: number;
  @LocalDay(false, 'When it must be completed by (Code 7.3)') dueBy?: string;
}

export const OfferRemedyController = commandRoute({
  path: 'remedies',
  command: 'OfferRemedy',
  request: OfferRemedyRequest,
  summary: 'Offer a remedy at any stage (Code 5.13, 7.1, 7.3) — RemedyOffered',
  example: {
    offeredAt: '2024-05-02T10:00:00+01:00',
    type: 'financial',
    description: 'Compensation',
    amountPence: 5000,
    dueBy: '2024-06-01',
  },
});
