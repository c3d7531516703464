import { foldEvents, type ComplaintCommand, type ComplaintEvent } from '../src';
import { acknowledged, COMPLAINT_ID, received } from './support/builders';
import { given } from './support/decider-spec';

const DOCUMENT_ID = '5f0c2a4e-8d7b-4c1e-9a3f-2b6d8e1f4a70';
const terms = {
  documentId: DOCUMENT_ID,
  sha256: 'a'.repeat(64),
  storedSha256: 'b'.repeat(64),
  bytes: 20_480,
  mediaType: 'application/pdf' as const,
  title: 'Stage 1 response letter',
  kind: 'letter_to_resident' as const,
  direction: 'outbound' as const,
};
const attach = (dated: string, extra: object = {}): ComplaintCommand => ({
  type: 'AttachDocument',
  data: { ...terms, dated, ...extra },
});
const attached = (dated: string): ComplaintEvent => ({ type: 'DocumentAttached', data: { ...terms, complaintId: COMPLAINT_ID, dated } });
const correspondence = (documentIds: string[]): ComplaintCommand => ({
  type: 'RecordCorrespondence',
  data: {
    occurredAt: '2024-05-03T10:00:00+01:00',
    direction: 'outbound',
    party: 'resident',
    channel: 'letter',
    summary: 'Sent the response',
    documentIds,
  },
});

describe('AttachDocument (Code 5.12: the full record holds the documents themselves)', () => {
  it('records DocumentAttached with its hash, size, type, title, kind, direction and date (in UTC)', () =>
    given(received('2024-05-01T10:00'))
      .when(attach('2024-05-03T10:00:00+01:00'))
      .then([attached('2024-05-03T09:00:00.000Z')]));

  it('takes a document dated before the complaint (the survey that led to it) and after it closed', () => {
    given(received('2024-05-01T10:00'))
      .when(attach('2023-11-01T10:00:00Z'))
      .then([attached('2023-11-01T10:00:00.000Z')]);
  });

  it('refuses a document dated in the future, a malformed hash, no bytes, an unknown type or kind, a blank title', () => {
    const complaint = given(received('2024-05-01T10:00'));
    complaint.when(attach('2027-01-01T10:00:00Z')).thenFails('INSTANT.IN_FUTURE', { field: 'dated' });
    complaint.when(attach('2024-05-03T10:00:00Z', { sha256: 'A'.repeat(64) })).thenFails('DOCUMENT.INVALID', { field: 'sha256' });
    complaint.when(attach('2024-05-03T10:00:00Z', { bytes: 0 })).thenFails('DOCUMENT.INVALID', { field: 'bytes' });
    complaint.when(attach('2024-05-03T10:00:00Z', { mediaType: 'application/zip' })).thenFails('DOCUMENT.INVALID', { field: 'mediaType' });
    complaint.when(attach('2024-05-03T10:00:00Z', { kind: 'memo' })).thenFails('DOCUMENT.INVALID', { field: 'kind' });
    complaint.when(attach('2024-05-03T10:00:00Z', { title: '  ' })).thenFails('DOCUMENT.INVALID', { field: 'title' });
  });

  it('attaches a document once', () =>
    given(received('2024-05-01T10:00'), attached('2024-05-03T09:00:00.000Z'))
      .when(attach('2024-05-03T10:00:00Z'))
      .thenFails('DOCUMENT.ALREADY_ATTACHED', { kind: 'conflict' }));

  it('needs a complaint', () => given().when(attach('2024-05-03T10:00:00Z')).thenFails('COMPLAINT.NOT_FOUND'));

  it('is kept through a correction of another fact, and is not itself a fact a correction replaces', () => {
    const state = foldEvents([
      received('2024-05-01T10:00'),
      attached('2024-05-03T09:00:00.000Z'),
      acknowledged(1, '2024-05-02T09:00'),
      {
        type: 'FactCorrected',
        data: {
          complaintId: COMPLAINT_ID,
          correctedRevision: 2,
          correctedType: 'Acknowledged',
          reason: 'Wrong',
          correctedAt: '2024-06-01T00:00:00.000Z',
        },
      },
    ])!;
    expect(state.documents).toEqual([{ ...terms, dated: '2024-05-03T09:00:00.000Z', revision: 1 }]);
    given(received('2024-05-01T10:00'), attached('2024-05-03T09:00:00.000Z'))
      .when({ type: 'CorrectFact', data: { revision: 1, reason: 'Wrong letter', void: true } })
      .thenFails('CORRECTION.NOT_CORRECTABLE');
  });
});

describe('correspondence and responses name documents already attached', () => {
  it('records correspondence naming an attached document', () =>
    given(received('2024-05-01T10:00'), attached('2024-05-03T09:00:00.000Z'))
      .when(correspondence([DOCUMENT_ID]))
      .then([
        {
          type: 'CorrespondenceRecorded',
          data: {
            complaintId: COMPLAINT_ID,
            occurredAt: '2024-05-03T09:00:00.000Z',
            direction: 'outbound',
            party: 'resident',
            channel: 'letter',
            summary: 'Sent the response',
            documentIds: [DOCUMENT_ID],
          },
        },
      ]));

  it('refuses a document the complaint does not have', () => {
    given(received('2024-05-01T10:00'))
      .when(correspondence([DOCUMENT_ID]))
      .thenFails('DOCUMENT.NOT_ATTACHED', { field: 'documentIds' });
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00'))
      .when({
        type: 'RespondToComplaint',
        data: {
          stage: 1,
          respondedAt: '2024-05-10T10:00:00Z',
          decision: 'upheld',
          reasons: 'Late',
          escalationRightsGiven: true,
          documentIds: [DOCUMENT_ID],
        },
      })
      .thenFails('DOCUMENT.NOT_ATTACHED', { field: 'documentIds' });
  });
});
