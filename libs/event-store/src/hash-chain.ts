import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent, RecordedMetadata } from './port';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and the canonical JSON of everything recorded except the hash. */
export function hashEvent(event: Omit<RecordedEvent, 'position' | 'metadata'> & { metadata: Omit<RecordedMetadata, 'hash'> }): string {
  const { streamId, revision, eventId, type, data, metadata } = event;
  return createHash('sha256')
    .update(metadata.prevHash)
    .update(canonicalJson({ streamId, revision, eventId, type, data, metadata }))
    .digest('hex');
}

/** Seals a new event into a stream's chain. */
export function chain(
  streamId: string,
  revision: number,
  event: NewEvent,
  prevHash: string,
  recordedAt: string,
): Omit<RecordedEvent, 'position'> {
  const metadata = { ...event.metadata, recordedAt, prevHash };
  const sealed = { streamId, revision, eventId: event.eventId, type: event.type, data: event.data, metadata };
  return { ...sealed, metadata: { ...metadata, hash: hashEvent(sealed) } };
}

export interface IntegrityReport {
  readonly valid: boolean;
  readonly events: number;
  readonly headHash: string | null;
  readonly firstInvalidRevision: number | null;
}

/** Recomputes a stream's chain; names the first revision whose content or link does not match. */
export function verifyChain(events: readonly RecordedEvent[]): IntegrityReport {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const { hash, ...rest } = event.metadata;
    const ok = event.revision === index && rest.prevHash === prevHash && hashEvent({ ...event, metadata: rest }) === hash;
    if (!ok)
      return { valid: false, events: events.length, headHash: events.at(-1)?.metadata.hash ?? null, firstInvalidRevision: event.revision };
    prevHash = hash;
  }
  return { valid: true, events: events.length, headHash: events.at(-1)?.metadata.hash ?? null, firstInvalidRevision: null };
}
