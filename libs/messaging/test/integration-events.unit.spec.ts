import type { RecordedEvent } from '@complaint-ledger/event-store';
import { personalDataIn } from '@complaint-ledger/domain';
import { DEFAULT_TOPICS, integrationEventOf, messagesOf, publishedActor, topicNames } from '../src';

const recorded = (type: string, data: object, revision = 0): RecordedEvent => ({
  streamId: 'complaint-c1',
  revision,
  position: 41 + revision,
  eventId: `00000000-0000-4000-8000-00000000000${revision}`,
  type,
  data,
  metadata: {
    occurredAt: '2025-01-06T09:00:00.000Z',
    recordedAt: '2025-01-06T09:00:01.000Z',
    actor: 'housing-system',
    correlationId: 'corr-1',
    schemaVersion: 1,
    prevHash: '0'.repeat(64),
    hash: 'a'.repeat(64),
  },
});

const received = recorded('ComplaintReceived', {
  complaintId: 'c1',
  receivedAt: '2025-01-06T09:00:00.000Z',
  channel: 'email',
  tenure: 'LCRA',
  category: 'repairs',
  summary: 'Leak',
  resident: { reference: 'RES-1', name: 'Ada Lovelace', email: 'ada@example.org', phone: '07700 900000' },
  representative: { name: 'Charles Babbage', relationship: 'friend' },
});

describe('integration events', () => {
  it('given a received complaint, when published, then it carries ids, times and place in the log but no personal data', () => {
    const event = integrationEventOf(received);
    expect(event).toMatchObject({
      eventId: received.eventId,
      eventType: 'ComplaintReceived',
      schemaVersion: 1,
      complaintId: 'c1',
      revision: 0,
      position: 41,
      occurredAt: '2025-01-06T09:00:00.000Z',
      recordedAt: '2025-01-06T09:00:01.000Z',
      actor: 'housing-system',
      correlationId: 'corr-1',
      dataSchemaVersion: 1,
      hash: 'a'.repeat(64),
      personalDataRemoved: [
        'summary',
        'resident.name',
        'resident.email',
        'resident.phone',
        'representative.name',
        'representative.relationship',
      ],
    });
    const { summary: _, ...rest } = received.data as { summary: string };
    expect(event.data).toEqual({ ...rest, resident: { reference: 'RES-1' }, representative: {} });
    const text = JSON.stringify(event);
    for (const secret of ['Ada', 'ada@example.org', '07700', 'Babbage', 'friend']) expect(text).not.toContain(secret);
    expect((received.data as { resident: { name: string } }).resident.name).toBe('Ada Lovelace'); // the ledger's copy is untouched
  });

  it('leaves out what is recorded about disabilities and adjustments', () => {
    const adjustment = recorded(
      'ReasonableAdjustmentRecorded',
      {
        complaintId: 'c1',
        recordedAt: '2025-01-07T09:00:00.000Z',
        adjustment: 'Large print',
        disclosedNeeds: 'Sight loss',
        reviewBy: '2025-07-01',
      },
      1,
    );
    const event = integrationEventOf(adjustment);
    expect(event.data).toEqual({ complaintId: 'c1', recordedAt: '2025-01-07T09:00:00.000Z', reviewBy: '2025-07-01' });
    expect(event.personalDataRemoved).toEqual(['adjustment', 'disclosedNeeds']);
  });

  it('keys every message by complaint id with the headers consumers route and de-duplicate by', () => {
    const [message, ...rest] = messagesOf(received, DEFAULT_TOPICS);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ topic: 'complaints.events.v1', key: 'c1' });
    expect(message!.headers).toEqual({
      'event-type': 'ComplaintReceived',
      'event-id': received.eventId,
      'schema-version': '1',
      'content-type': 'application/json',
      'correlation-id': 'corr-1',
      // the CloudEvents Kafka binding, binary mode: the value is the event's data
      ce_specversion: '1.0',
      ce_id: received.eventId,
      ce_source: '/complaint-ledger',
      ce_type: 'complaint-ledger.ComplaintReceived.v1',
      ce_time: received.metadata.occurredAt,
      ce_subject: 'c1',
      ce_dataschema: 'urn:complaint-ledger:schema:complaint-event:v1',
    });
    expect(JSON.parse(message!.value)).toEqual(integrationEventOf(received));
  });

  it('sends deadline alerts to the breaches topic as well', () => {
    const breach = recorded(
      'DeadlineBreached',
      {
        complaintId: 'c1',
        deadlineKey: 'acknowledgement:1:2025-01-13T23:59:59.999Z',
        kind: 'acknowledgement',
        stage: 1,
        dueAt: '2025-01-13T23:59:59.999Z',
        provision: '5.1',
        codeVersion: '2024',
        detectedAt: '2025-01-14T00:01:00.000Z',
      },
      2,
    );
    expect(messagesOf(breach, topicNames('acme.')).map((m) => m.topic)).toEqual([
      'acme.complaints.events.v1',
      'acme.complaints.breaches.v1',
    ]);
  });

  it('names topics from a prefix and overrides', () => {
    expect(topicNames('', { tsm: 'tsm.compacted' })).toEqual({ ...DEFAULT_TOPICS, tsm: 'tsm.compacted' });
  });
});

describe('the actor as published', () => {
  it("keeps a principal's name, but publishes one that reads as contact details (a staff email as a JWT subject) as a stable pseudonym", () => {
    expect(publishedActor('api-key:case-system')).toBe('api-key:case-system');
    const pseudonym = publishedActor('jwt:jane.doe@landlord.example.org');
    expect(pseudonym).toMatch(/^jwt:sha256:[0-9a-f]{16}$/);
    expect(personalDataIn(pseudonym)).toBeNull();
    expect(publishedActor('jwt:jane.doe@landlord.example.org')).toBe(pseudonym); // the same principal, the same name on every message
    expect(publishedActor('jwt:sam.roe@landlord.example.org')).not.toBe(pseudonym);
  });

  it("makes the relay's pseudonym with its key: stable for every replica given it, not made again from a guessed address without it", () => {
    const key = Buffer.alloc(32, 3);
    const relay = publishedActor('jwt:jane.doe@landlord.example.org', key);
    expect(relay).toMatch(/^jwt:sha256:[0-9a-f]{16}$/);
    expect(publishedActor('jwt:jane.doe@landlord.example.org', Buffer.alloc(32, 3))).toBe(relay);
    expect(relay).not.toBe(publishedActor('jwt:jane.doe@landlord.example.org')); // a consumer's SHA-256 of the guess
    expect(relay).not.toBe(publishedActor('jwt:jane.doe@landlord.example.org', Buffer.alloc(32, 4)));
  });
});
