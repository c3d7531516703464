import { Instant, Text } from '../../../http/dto-fields';

export class AuthoriseRepresentativeRequest {
  @Instant() consentReceivedAt!: string;
  @Text(false, 200) name?: string;
  @Text(false, 100) relationship?: string;
}
