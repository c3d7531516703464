import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPLAINT_EVENT_TYPES, PERSONAL_DATA_PATHS, type ComplaintEventType } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import { eventDataSchema } from '../../../tools/contracts/event-data-schema';
import { integrationEventOf } from '../src';
import complaintEventSchema from '../contracts/complaint-event.v1.schema.json';
import { EVENT_SAMPLES } from './support/event-samples';

/**
 * Every event type's `data`, as Kafka consumers receive it, has a JSON Schema generated from the
 * domain's own types; one sample of every type, typed by the domain, validates against it once
 * the relay has taken its personal data out.
 */
const FILE = join(__dirname, '..', 'contracts', 'event-data.v1.schema.json');
const generated = eventDataSchema();
const committed = JSON.parse(readFileSync(FILE, 'utf8')) as {
  $id: string;
  $defs: Record<string, { properties?: Record<string, unknown> }>;
};
if (process.env.UPDATE_CONTRACTS) writeFileSync(FILE, `${JSON.stringify(generated, null, 2)}\n`);

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
ajv.addSchema(committed);
const validEnvelope = ajv.compile(complaintEventSchema);
const validData = (type: string) => ajv.getSchema(`${committed.$id}#/$defs/${type}`)!;

const published = (type: ComplaintEventType, data: object = EVENT_SAMPLES[type]) => {
  const event: RecordedEvent = {
    streamId: `complaint-${EVENT_SAMPLES.ComplaintReceived.complaintId}`,
    revision: 3,
    position: 40,
    eventId: '0b7f6f0e-3a53-4bb2-9f3e-0c5f1f2a8f11',
    type,
    data,
    metadata: {
      occurredAt: '2024-05-02T09:00:00.000Z',
      recordedAt: '2024-05-02T09:00:01.000Z',
      actor: 'api-key:housing-system',
      correlationId: 'c',
      schemaVersion: 1,
      prevHash: '0'.repeat(64),
      hash: 'ab'.repeat(32),
    },
  };
  return integrationEventOf(event);
};

it('is the schema generated from the domain event types (npm run contracts:generate writes it)', () => {
  expect(committed).toEqual(generated);
});

it('has a schema for every event type the domain has', () => {
  expect(Object.keys(committed.$defs)).toEqual(expect.arrayContaining([...COMPLAINT_EVENT_TYPES]));
});

it.each(COMPLAINT_EVENT_TYPES.map((type) => [type]))(
  'a published %s validates: the envelope, and its data against its own schema',
  (type) => {
    const message = published(type);
    expect(validEnvelope(message) ? null : validEnvelope.errors).toBeNull();
    const check = validData(type);
    expect(check(message.data) ? null : check.errors).toBeNull();
  },
);

it('lists no personal data: a consumer learns from the schema that none is sent', () => {
  for (const [type, paths] of Object.entries(PERSONAL_DATA_PATHS))
    for (const path of paths.filter((p) => !p.includes('.'))) expect(committed.$defs[type]!.properties).not.toHaveProperty(path);
  expect(committed.$defs.Resident!.properties).toEqual({ reference: expect.anything() });
});

it('refuses data that breaks the domain type (a wrong type, a missing required field, an unknown value)', () => {
  const check = validData('Responded');
  expect(check({ ...published('Responded').data, escalationRightsGiven: 'yes' })).toBe(false);
  const { decision: _, ...withoutDecision } = published('Responded').data as Record<string, unknown>;
  expect(check(withoutDecision)).toBe(false);
  expect(check({ ...published('Responded').data, decision: 'sort_of' })).toBe(false);
  // and accepts a field it does not know: fields may be added within v1
  expect(check({ ...published('Responded').data, addedLater: 1 })).toBe(true);
});
