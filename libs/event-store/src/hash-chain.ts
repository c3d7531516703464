import { hash as oneShotHash } from 'node:crypto';
import type { NewEvent, RecordedEvent, RecordedMetadata } from './port';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth, undefined members left out:
 * the same event always hashes the same. Every event written is hashed, so this is built by
 * appending to one string, with strings written directly and keys quoted once per name;
 * hash-chain.unit.spec.ts holds it to the original, array-based definition over random values,
 * since changing a single byte would break every stored chain.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (canonicalJson(value[i]) ?? '');
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${quoted(key)}:${typeof member === 'string' ? JSON.stringify(member) : canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

// Events use a small vocabulary of member names; their JSON-quoted forms are kept (bounded).
const quotedKeys = new Map<string, string>();
function quoted(key: string): string {
  let json = quotedKeys.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, json);
  }
  return json;
}

/** SHA-256 over the previous hash and the canonical JSON of everything recorded except the hash. */
export function hashEvent(event: Omit<RecordedEvent, 'position' | 'metadata'> & { metadata: Omit<RecordedMetadata, 'hash'> }): string {
  const { streamId, revision, eventId, type, data, metadata } = event;
  // one-shot hashing (no Hash object per event); the same bytes as hashing the two parts in turn
  return oneShotHash('sha256', metadata.prevHash + canonicalJson({ streamId, revision, eventId, type, data, metadata }), 'hex');
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
