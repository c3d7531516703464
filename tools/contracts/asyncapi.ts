import { COMPLAINT_EVENT_TYPES } from '@complaint-ledger/domain';
import {
  ALERT_TYPES,
  CLOUDEVENTS_SOURCE,
  CLOUDEVENTS_TYPE_PREFIX,
  DEFAULT_TOPICS,
  INTEGRATION_SCHEMA_VERSION,
} from '@complaint-ledger/messaging';

type Doc = { [key: string]: unknown };
const KAFKA_BINDING = '0.5.0';
const JSON_SCHEMA_2020 = 'application/schema+json;version=draft-2020-12';

/**
 * The AsyncAPI 3.0 document of everything the relay publishes (libs/messaging/contracts/asyncapi.json),
 * generated from the topics, the domain's event types and the JSON Schemas beside it, so that a
 * new event type appears in it without anyone remembering to add it: `npm run contracts:generate`.
 */
export function asyncApiDocument(): Doc {
  const message = (name: string, title: string, payload: Doc, key: Doc): Doc => ({
    name,
    title,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/Headers' },
    payload: { schemaFormat: JSON_SCHEMA_2020, schema: payload },
    bindings: { kafka: { key, bindingVersion: KAFKA_BINDING } },
  });
  const complaintKey = { type: 'string', description: 'The complaint id: every event of one complaint is on one partition, in order.' };
  const eventMessages = Object.fromEntries(
    COMPLAINT_EVENT_TYPES.map((type) => [
      type,
      message(
        type,
        `${type} (a complaint's event)`,
        {
          allOf: [
            { $ref: './complaint-event.v1.schema.json' },
            { type: 'object', properties: { eventType: { const: type }, data: { $ref: `./event-data.v1.schema.json#/$defs/${type}` } } },
          ],
        },
        complaintKey,
      ),
    ]),
  );
  const refs = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/messages/${name}` }]));
  const channel = (address: string, description: string, messages: readonly string[], topicConfiguration: Doc): Doc => ({
    address,
    description,
    messages: refs(messages),
    bindings: { kafka: { topic: address, topicConfiguration, bindingVersion: KAFKA_BINDING } },
  });
  const keepForEver = { 'retention.ms': -1, 'cleanup.policy': ['delete'] };
  const channels = {
    events: channel(
      DEFAULT_TOPICS.events,
      'Every event of every complaint, as an integration event without personal data. Backfill: the topic is meant to keep everything (retention.ms=-1); where a broker drops older messages, read the ledger over its API or have the relay publish again from a position (npm run relay:republish).',
      COMPLAINT_EVENT_TYPES,
      keepForEver,
    ),
    breaches: channel(
      DEFAULT_TOPICS.breaches,
      'Deadline alerts (also on the events topic): a breach is dropped when a BreachRetracted with the same deadlineKey and recurrence arrives.',
      [...ALERT_TYPES],
      keepForEver,
    ),
    tsm: channel(
      DEFAULT_TOPICS.tsm,
      'A CH01/CH02 snapshot per reporting year and tenure whenever its figures change. Compacted: the latest per key is what counts.',
      ['TsmSnapshot'],
      { 'cleanup.policy': ['compact'] },
    ),
    checkpoints: channel(
      DEFAULT_TOPICS.checkpoints,
      'Each signed checkpoint of the ledger: evidence of the log as it was, kept for ever; check one with the key at GET /.well-known/complaint-ledger/checkpoint-key.',
      ['LedgerCheckpointed'],
      keepForEver,
    ),
  };
  const operation = (channelName: keyof typeof channels, summary: string, messages: readonly string[]): Doc => ({
    action: 'send',
    channel: { $ref: `#/channels/${channelName}` },
    summary,
    messages: messages.map((name) => ({ $ref: `#/channels/${channelName}/messages/${name}` })),
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'complaint-ledger on Kafka',
      version: `${INTEGRATION_SCHEMA_VERSION}.0.0`,
      description: [
        "What the ledger's relay publishes. Generated: do not edit (npm run contracts:generate).",
        '',
        '**Delivery**: at-least-once; in order per key (per complaint); a message may arrive again after a failure: drop duplicates by `eventId` (also the CloudEvents `ce_id`). One process relays at a time (the holder of the duties); when another takes over after a crash, it resumes from the position the last holder kept, so what may arrive twice is at most what the last holder had in flight: one batch of up to 500 events per failover.',
        "**Headers**: the ledger's own; the CloudEvents Kafka binding (binary mode: the value is the event); W3C `traceparent` where the ledger traces (OpenTelemetry).",
        '**Compatibility**: within v1, fields, event types and `$defs` may be added; consumers ignore what they do not know. Removing or renaming a field, making one optional, changing a type or format, or adding a value to a closed list needs v2 topics (`*.v2`), published beside v1 for a deprecation period. A test compares the schemas with the last release (libs/messaging/contracts/released).',
        '**Personal data** is never published: `personalDataRemoved` names what the ledger holds and left out.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      production: { host: 'kafka:9092', protocol: 'kafka', description: "The landlord's brokers (LEDGER_KAFKA_BROKERS)." },
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'npm run kafka:local (it prints the address it took).' },
    },
    channels,
    operations: {
      publishEvents: operation('events', "Publish each ledger event of a complaint, in the log's order", COMPLAINT_EVENT_TYPES),
      publishBreaches: operation('breaches', 'Publish each deadline alert and retraction', [...ALERT_TYPES]),
      publishTsm: operation('tsm', 'Publish the CH01/CH02 figures that changed', ['TsmSnapshot']),
      publishCheckpoints: operation('checkpoints', 'Publish each signed checkpoint', ['LedgerCheckpointed']),
    },
    components: {
      messages: {
        ...eventMessages,
        TsmSnapshot: message(
          'TsmSnapshot',
          'CH01/CH02 figures for a year and tenure',
          { $ref: './tsm-snapshot.v1.schema.json' },
          {
            type: 'string',
            description: '<year>:<tenure>, e.g. 2024:LCRA',
          },
        ),
        LedgerCheckpointed: message(
          'LedgerCheckpointed',
          'A signed checkpoint of the whole log',
          { $ref: './ledger-checkpoint.v1.schema.json' },
          {
            const: 'ledger',
          },
        ),
      },
      schemas: {
        Headers: {
          type: 'object',
          required: ['event-type', 'event-id', 'schema-version', 'content-type', 'ce_specversion', 'ce_id', 'ce_source', 'ce_type'],
          properties: {
            'event-type': { type: 'string', description: 'The eventType (TsmSnapshot, LedgerCheckpointed for the other topics).' },
            'event-id': { type: 'string', description: 'The eventId: the de-duplication key.' },
            'schema-version': { type: 'string', const: String(INTEGRATION_SCHEMA_VERSION) },
            'content-type': { type: 'string', const: 'application/json' },
            'correlation-id': { type: 'string' },
            ce_specversion: { type: 'string', const: '1.0' },
            ce_id: { type: 'string', description: 'The eventId.' },
            ce_source: { type: 'string', const: CLOUDEVENTS_SOURCE },
            ce_type: { type: 'string', description: `${CLOUDEVENTS_TYPE_PREFIX}<eventType>.v${INTEGRATION_SCHEMA_VERSION}` },
            ce_time: { type: 'string', format: 'date-time', description: 'When it happened (occurredAt; takenAt for a snapshot).' },
            ce_subject: { type: 'string', description: 'The complaint id, "ledger" for a checkpoint, <year>:<tenure> for a snapshot.' },
            ce_dataschema: { type: 'string', format: 'uri', description: "The $id of the value's JSON Schema." },
            traceparent: {
              type: 'string',
              pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
              description:
                "W3C Trace Context (https://www.w3.org/TR/trace-context/): the span that published this message, in the trace of the command that recorded the event. Present only where the ledger traces (OpenTelemetry, LEDGER_OTLP_TRACES_URL) and the command's trace was sampled; a consumer's tracing continues from it.",
            },
          },
        },
      },
    },
  };
}
