import { complaintEventOf, withoutPersonalData } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import type { OutgoingMessage } from './publisher';
import type { TopicNames } from './topics';

/** The version of the integration messages below (contracts/*.v1.schema.json). */
export const INTEGRATION_SCHEMA_VERSION = 1;

const ALERT_TYPES = new Set(['DeadlineBreached', 'DeadlineApproaching', 'BreachRetracted']);

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

export function integrationEventOf(event: RecordedEvent): ComplaintIntegrationEvent {
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
    actor: metadata.actor,
    correlationId: metadata.correlationId,
    ...(metadata.causationId ? { causationId: metadata.causationId } : {}),
    dataSchemaVersion: metadata.schemaVersion,
    data,
    personalDataRemoved: removed,
    hash: metadata.hash,
  };
}

/** The headers every message carries, so a consumer can route and de-duplicate without parsing. */
export function messageHeaders(eventType: string, eventId: string, correlationId: string): Record<string, string> {
  return {
    'event-type': eventType,
    'event-id': eventId,
    'schema-version': String(INTEGRATION_SCHEMA_VERSION),
    'content-type': 'application/json',
    'correlation-id': correlationId,
  };
}

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
  readonly checkpoint: { position: number; events: number; head: string; at: string; keyId: string; signature: string };
}

/**
 * The messages one ledger event becomes: a complaint's event one on the events topic (and an
 * alert on the breaches topic too); a checkpoint one on the checkpoints topic; anything else none.
 */
export function messagesOf(event: RecordedEvent, topics: TopicNames): OutgoingMessage[] {
  if (event.type === 'LedgerCheckpointed') {
    const message: CheckpointMessage = {
      eventId: event.eventId,
      schemaVersion: INTEGRATION_SCHEMA_VERSION,
      position: event.position,
      recordedAt: event.metadata.recordedAt,
      checkpoint: event.data as CheckpointMessage['checkpoint'],
    };
    const headers = messageHeaders(event.type, event.eventId, event.metadata.correlationId);
    return [{ topic: topics.checkpoints, key: 'ledger', value: JSON.stringify(message), headers }];
  }
  if (typeof (event.data as { complaintId?: unknown }).complaintId !== 'string') return [];
  const integration = integrationEventOf(event);
  const message = {
    key: integration.complaintId,
    value: JSON.stringify(integration),
    headers: messageHeaders(integration.eventType, integration.eventId, integration.correlationId),
  };
  const messages = [{ topic: topics.events, ...message }];
  if (ALERT_TYPES.has(event.type)) messages.push({ topic: topics.breaches, ...message });
  return messages;
}
