import { DECISIONS, REMEDY_TYPES, STAGES } from '@complaint-ledger/domain';
import { DocumentIds, Flag, Instant, LocalDay, NestedList, OneOf, Text, TextList, Pence } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class RemedyTermsDto {
  @OneOf(REMEDY_TYPES) type!: (typeof REMEDY_TYPES)[number];
  @Text(true, 2000) description!: string;
  @Pence(false, 'Financial remedies, in pence') amountPence?: number;
  @LocalDay(false, 'When it must be completed by (Code 7.3)') dueBy?: string;
}

export class RespondToComplaintRequest {
  @OneOf(STAGES) stage!: 1 | 2;
  @Instant() respondedAt!: string;
  @OneOf(DECISIONS) decision!: (typeof DECISIONS)[number];
  @Text(false, 10000, 'The reasons for the decision; absent or blank is recorded and raises a finding (Code 6.9(d), 6.19(d))')
  reasons?: string;
  @NestedList(() => RemedyTermsDto, 20, 'Each becomes a RemedyOffered event') remedies?: RemedyTermsDto[];
  @TextList(50, 'Absent: not stated; empty: none (Code 6.9(f))') outstandingActions?: string[];
  @Flag(true, 'Whether the response explained how to escalate (Code 6.9(g), 6.19(g))') escalationRightsGiven!: boolean;
  @Text(false, 100) handler?: string;
  @DocumentIds() documentIds?: string[];
}

export const RespondToComplaintController = commandRoute({
  path: 'responses',
  command: 'RespondToComplaint',
  request: RespondToComplaintRequest,
  summary: 'Record a stage response (Code 6.3, 6.9, 6.14, 6.19) — Responded',
  example: {
    stage: 1,
    respondedAt: '2024-05-02T10:00:00+01:00',
    decision: 'upheld',
    reasons: 'The repair was late',
    remedies: [{ type: 'apology', description: 'An apology' }],
    outstandingActions: [],
    escalationRightsGiven: true,
  },
});
