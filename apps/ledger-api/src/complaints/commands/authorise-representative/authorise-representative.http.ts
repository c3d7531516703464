import { Instant, Text } from '../../../http/dto-fields';
import { commandRoute } from '../../command-route';

export class AuthoriseRepresentativeRequest {
  @Instant() consentReceivedAt!: string;
  @Text(false, 200) name?: string;
  @Text(false, 100) relationship?: string;
}

export const AuthoriseRepresentativeController = commandRoute({
  path: 'representative',
  command: 'AuthoriseRepresentative',
  request: AuthoriseRepresentativeRequest,
  summary: "Record the resident's consent for a representative (Code 3.6; decision 0006) — RepresentativeAuthorised",
  example: { consentReceivedAt: '2024-05-02T10:00:00+01:00', name: 'Pat Advocate', relationship: 'friend' },
});
