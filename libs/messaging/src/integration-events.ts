import { complaintEventOf, personalDataIn, withoutPersonalData } from '@complaint-ledger/domain';
import { createHash, createHmac } from 'node:crypto';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import type { OutgoingMessage } from './publisher';
import type { TopicNames } from './topics';

/** The version of the integration messages below (contracts/*.v1.schema.json). */
export const INTEGRATION_SCHEMA_VERSION = 1;

export const ALERT_TYPES: ReadonlySet<string> = new Set(['DeadlineBreached', 'DeadlineApproaching', 'BreachRetracted']);

/**
 * A ledger event as analytics services receive it (contracts/complaint-event.v1.schema.json):
 * the event's own id (to drop duplicates), its place in the complaint's stream and in the log,
 * both times, the actor, and its data without personal data — residents' and representatives'
 * names and contact details, and disabilities and adjustments, stay in the ledger.
 */
export interface ComplaintIntegrationEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly schemaVersion: number;
  readonly complaintId: string;
  readonly revision: number;
  readonly position: number;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** The version of the domain event's data (the event's own metadata). */
  readonly dataSchemaVersion: number;
  readonly data: object;
  /** Dotted paths of personal data present in the ledger's event and left out here. */
  readonly personalDataRemoved: readonly string[];
  /** The event's SHA-256 in the complaint's hash chain, to check against an auditor's export. */
  readonly hash: string;
}

/** `actorKey`: the key pseudonyms of actors are made with (publishedActor); none in contract tests. */
export function integrationEventOf(event: RecordedEvent, actorKey?: Buffer): ComplaintIntegrationEvent {
  const { data, removed } = withoutPersonalData(complaintEventOf(event));
  const { metadata } = event;
  return {
    eventId: event.eventId,
    eventType: event.type,
    schemaVersion: INTEGRATION_SCHEMA_VERSION,
    complaintId: (event.data as { complaintId: string }).complaintId,
    revision: event.revision,
    position: event.position,
    occurredAt: metadata.occurredAt,
    recordedAt: metadata.recordedAt,
    actor: publishedActor(metadata.actor, actorKey),
    correlationId: metadata.correlationId,
    ...(metadata.causationId ? { causationId: metadata.causationId } : {}),
    dataSchemaVersion: metadata.schemaVersion,
    data,
    personalDataRemoved: removed,
    hash: metadata.hash,
  };
}

/**
 * Each published schema's `$id` (in libs/messaging/contracts), also each message's CloudEvents
 * `dataschema`: names under the project's own URN namespace, to compare, not addresses to fetch
 * (the schemas travel with the AsyncAPI document). Release 1.0 named them under a placeholder web
 * domain the project does not own (docs/integration.md, "Compatibility").
 */
export const SCHEMA_IDS = {
  event: 'urn:complaint-ledger:schema:complaint-event:v1',
  eventData: 'urn:complaint-ledger:schema:event-data:v1',
  checkpoint: 'urn:complaint-ledger:schema:ledger-checkpoint:v1',
  tsm: 'urn:complaint-ledger:schema:tsm-snapshot:v1',
} as const;

export interface HeaderFacts {
  readonly eventType: string;
  readonly eventId: string;
  readonly correlationId: string;
  /** When it happened (CloudEvents `time`). */
  readonly time: string;
  /** What it is about: the complaint id, `ledger`, or the snapshot's key (CloudEvents `subject`). */
  readonly subject: string;
  readonly kind: 'event' | 'checkpoint' | 'tsm';
}

/**
 * The headers every message carries, so a consumer can route and de-duplicate without parsing:
 * the ledger's own (`event-type`, `event-id`, `schema-version`, `correlation-id`), and the
 * CloudEvents Kafka protocol binding's binary mode (`ce_specversion`, `ce_id`, `ce_source`,
 * `ce_type`, `ce_time`, `ce_subject`, `ce_dataschema`, with `content-type` as its
 * `datacontenttype`), so CloudEvents SDKs read a message as a CloudEvent whose data is the value.
 */
export function messageHeaders(facts: HeaderFacts): Record<string, string> {
  return {
    'event-type': facts.eventType,
    'event-id': facts.eventId,
    'schema-version': String(INTEGRATION_SCHEMA_VERSION),
    'content-type': 'application/json',
    'correlation-id': facts.correlationId,
    ce_specversion: '1.0',
    ce_id: facts.eventId,
    ce_source: CLOUDEVENTS_SOURCE,
    ce_type: `${CLOUDEVENTS_TYPE_PREFIX}${facts.eventType}.v${INTEGRATION_SCHEMA_VERSION}`,
    ce_time: facts.time,
    ce_subject: facts.subject,
    ce_dataschema: SCHEMA_IDS[facts.kind],
  };
}

/** CloudEvents `source`: this ledger (the id is unique within it: the ledger's event id). */
export const CLOUDEVENTS_SOURCE = '/complaint-ledger';
/** CloudEvents `type`: `complaint-ledger.<eventType>.v1`. */
export const CLOUDEVENTS_TYPE_PREFIX = 'complaint-ledger.';

/**
 * A signed checkpoint as published (contracts/ledger-checkpoint.v1.schema.json): what it covers,
 * its signature and key id, and where it sits in the log, so anyone holding it can later check the
 * ledger up to it with the public key the ledger serves.
 */
export interface CheckpointMessage {
  readonly eventId: string;
  readonly schemaVersion: number;
  readonly position: number;
  readonly recordedAt: string;
  readonly checkpoint: {
    position: number;
    events: number;
    head: string;
    /** A signed tree head's (decision 0024): absent from checkpoints signed before the tree. */
    treeSize?: number;
    root?: string;
    at: string;
    keyId: string;
    signature: string;
  };
}

/**
 * The messages one ledger event becomes: a complaint's event one on the events topic (and an
 * alert on the breaches topic too); a checkpoint one on the checkpoints topic; anything else none.
 */
export function messagesOf(event: RecordedEvent, topics: TopicNames, actorKey?: Buffer): OutgoingMessage[] {
  if (event.type === 'LedgerCheckpointed') {
    const message: CheckpointMessage = {
      eventId: event.eventId,
      schemaVersion: INTEGRATION_SCHEMA_VERSION,
      position: event.position,
      recordedAt: event.metadata.recordedAt,
      checkpoint: event.data as CheckpointMessage['checkpoint'],
    };
    const headers = messageHeaders({
      eventType: event.type,
      eventId: event.eventId,
      correlationId: event.metadata.correlationId,
      time: event.metadata.occurredAt,
      subject: 'ledger',
      kind: 'checkpoint',
    });
    return [{ topic: topics.checkpoints, key: 'ledger', value: JSON.stringify(message), headers }];
  }
  if (typeof (event.data as { complaintId?: unknown }).complaintId !== 'string') return [];
  const integration = integrationEventOf(event, actorKey);
  const message = {
    key: integration.complaintId,
    value: JSON.stringify(integration),
    headers: messageHeaders({
      eventType: integration.eventType,
      eventId: integration.eventId,
      correlationId: integration.correlationId,
      time: integration.occurredAt,
      subject: integration.complaintId,
      kind: 'event',
    }),
  };
  const messages = [{ topic: topics.events, ...message }];
  if (ALERT_TYPES.has(event.type)) messages.push({ topic: topics.breaches, ...message });
  return messages;
}

/**
 * A principal's name as published: as recorded, unless it reads as contact details (a JWT subject
 * that is a member of staff's email address, which the ledger records as its actor); then a
 * pseudonym, the same for every message of that principal: `<kind>:sha256:<16 hex>`, an HMAC under
 * `key` (the relay's, derived from the master key: every replica makes the same one, and no
 * consumer can make one from an address it guesses). The ledger's own record keeps the name (who did
 * it, for its auditors); the topics are for analytics.
 */
export function publishedActor(actor: string, key?: Buffer): string {
  if (!personalDataIn(actor)) return actor;
  const colon = actor.indexOf(':');
  const kind = colon > 0 ? actor.slice(0, colon) : 'principal';
  const digest = key ? createHmac('sha256', key).update(actor) : createHash('sha256').update(actor);
  return `${kind}:sha256:${digest.digest('hex').slice(0, 16)}`;
}
