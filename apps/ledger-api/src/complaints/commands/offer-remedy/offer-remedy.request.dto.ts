import { REMEDY_TYPES } from '@complaint-ledger/domain';
import { Instant, LocalDay, OneOf, Text, WholeNumber } from '../../../http/dto-fields';

export class OfferRemedyRequest {
  @Instant() offeredAt!: string;
  @OneOf(REMEDY_TYPES) type!: (typeof REMEDY_TYPES)[number];
  @Text(true, 2000) description!: string;
  @WholeNumber(false, 'Financial remedies, in pence') amountPence?: number;
  @LocalDay(false, 'When it must be completed by (Code 7.3)') dueBy?: string;
}
