import { hash as oneShotHash } from 'node:crypto';
import { authenticationOf, claimsAuthentication, type EventKeyRing, type EventSealer } from './event-mac';
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
  if (value === null || typeof value !== 'object') {
    const json = JSON.stringify(value);
    if (json === undefined) roundTrips = false; // a function or symbol: JSON has no form for it
    return json;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (canonicalJson(value[i]) ?? '');
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // JSON.stringify would write what a toJSON method says (a Date's); plain objects have none
  if (!isPlain(record) && typeof record.toJSON === 'function') roundTrips = false;
  let out = '{';
  for (const key of sortedKeys(record)) {
    const member = record[key];
    if (member === undefined) continue;
    out += out.length === 1 ? memberName(key) : nextMemberName(key);
    out += typeof member === 'string' ? quotedString(member) : canonicalJson(member);
  }
  return `${out}}`;
}

/**
 * Whether everything canonicalJson wrote since this was last set is also the value's JSON (up to
 * key order), i.e. reads back as the value. Events are plain data, so it always is in practice;
 * `sealJson` checks rather than trusts it before storing the canonical form.
 */
let roundTrips = true;

// What JSON.stringify escapes in a string: quotes, backslashes, control characters, and surrogates
// (lone ones are escaped; a string with a pair is left to JSON.stringify too).
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(text), without its cost for the usual text that needs no escaping. */
function quotedString(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function isPlain(record: object): boolean {
  const prototype = Object.getPrototypeOf(record) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * An object's keys in sorted order. Events of one type are built alike, so their objects list the
 * same keys in the same order: the sorted order is remembered per list (by its first key, then
 * compared key by key), which costs less than sorting again. Bounded: past the bound, lists not
 * seen yet are simply sorted.
 */
const sortedOrders = new Map<string, { readonly keys: readonly string[]; readonly sorted: string[] }[]>();
let rememberedOrders = 0;
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length < 2) return keys;
  const known = sortedOrders.get(keys[0]!);
  if (known) for (const order of known) if (sameKeys(order.keys, keys)) return order.sorted;
  const sorted = keys.slice().sort();
  if (rememberedOrders < 1_000) {
    rememberedOrders += 1;
    if (known) known.push({ keys, sorted });
    else sortedOrders.set(keys[0]!, [{ keys, sorted }]);
  }
  return sorted;
}

/** Whether two key lists whose first keys match are the same list. */
function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Events use a small vocabulary of member names; their JSON forms (`"name":` and `,"name":`) are
// kept (bounded), so a member costs two appends and no intermediate strings.
const memberNames = new Map<string, string>();
const nextMemberNames = new Map<string, string>();
function memberName(key: string): string {
  return memberNames.get(key) ?? remember(memberNames, key, `${JSON.stringify(key)}:`);
}
function nextMemberName(key: string): string {
  return nextMemberNames.get(key) ?? remember(nextMemberNames, key, `,${JSON.stringify(key)}:`);
}
function remember(names: Map<string, string>, key: string, json: string): string {
  if (names.size < 10_000) names.set(key, json);
  return json;
}

/**
 * What an event's hash covers: the previous hash, then the canonical JSON of everything recorded
 * except the hash — {data, eventId, metadata, revision, streamId, type}, keys in that (sorted)
 * order, with data and metadata given already in canonical form.
 */
function hashOf(streamId: string, revision: number, eventId: string, type: string, data: string, metadata: string, prevHash: string) {
  const envelope = `{"data":${data},"eventId":${JSON.stringify(eventId)},"metadata":${metadata},"revision":${revision},"streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(type)}}`;
  // one-shot hashing (no Hash object per event); the same bytes as hashing the two parts in turn
  return oneShotHash('sha256', prevHash + envelope, 'hex');
}

/** SHA-256 over the previous hash and the canonical JSON of everything recorded except the hash and the MAC. */
export function hashEvent(
  event: Omit<RecordedEvent, 'position' | 'metadata'> & { metadata: Omit<RecordedMetadata, 'hash' | 'mac'> & { mac?: string } },
): string {
  const { streamId, revision, eventId, type, data } = event;
  const { mac: _mac, ...metadata } = event.metadata;
  return hashOf(streamId, revision, eventId, type, canonicalJson(data), canonicalJson(metadata), metadata.prevHash);
}

/**
 * Seals a new event into a stream's chain; with a sealer, the key's id goes into the metadata the
 * hash covers and the MAC over the hash beside it (decision 0023).
 */
export function chain(
  streamId: string,
  revision: number,
  event: NewEvent,
  prevHash: string,
  recordedAt: string,
  sealer?: EventSealer | null,
): Omit<RecordedEvent, 'position'> {
  const metadata = { ...event.metadata, recordedAt, prevHash, ...(sealer ? { macKeyId: sealer.keyId } : {}) };
  const sealed = { streamId, revision, eventId: event.eventId, type: event.type, data: event.data, metadata };
  const hash = hashEvent(sealed);
  return { ...sealed, metadata: { ...metadata, hash, ...(sealer ? { mac: sealer.mac(hash) } : {}) } };
}

/** A new event sealed into its stream's chain, as a store writes it: its hash and its data and metadata as JSON text. */
export interface SealedJson {
  readonly hash: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * `chain` for a store that keeps events as JSON text (SQLite): the canonical JSON the hash is
 * computed over is the text stored, so each event is serialised once rather than once to hash
 * and again to store. It reads back as the same values (keys in sorted order, the hash last in
 * the metadata). Should a value not survive JSON (a Date, a function), its plain JSON is stored
 * instead, as it always was.
 */
export function sealJson(
  streamId: string,
  revision: number,
  event: NewEvent,
  prevHash: string,
  recordedAt: string,
  sealer?: EventSealer | null,
): SealedJson {
  roundTrips = true;
  const data = canonicalJson(event.data);
  // Object.assign, not a spread: measurably quicker here, with the same members in the same order
  const chained = Object.assign({}, event.metadata, sealer ? { recordedAt, prevHash, macKeyId: sealer.keyId } : { recordedAt, prevHash });
  const metadata = canonicalJson(chained);
  const hash = hashOf(streamId, revision, event.eventId, event.type, data, metadata, prevHash);
  const mac = sealer ? sealer.mac(hash) : undefined;
  if (!roundTrips)
    return { hash, data: JSON.stringify(event.data), metadata: JSON.stringify({ ...chained, hash, ...(mac ? { mac } : {}) }) };
  // metadata always has members (occurredAt, actor…), so the hash (and the MAC) join them after a comma
  return { hash, data, metadata: `${metadata.slice(0, -1)},"hash":"${hash}"${mac ? `,"mac":"${mac}"` : ''}}` };
}

export interface IntegrityReport {
  readonly valid: boolean;
  readonly events: number;
  readonly headHash: string | null;
  readonly firstInvalidRevision: number | null;
  /** Why the first invalid revision fails, when it does. */
  readonly problem?: 'order' | 'link' | 'content' | 'unauthenticated' | 'unknown-key' | 'bad-mac';
  /** What the ledger found wrong beyond the chain itself (its last event removed since it was verified), in words. */
  readonly detail?: string;
}

/** Where a stream's chain stands after an event: its revision and hash (revision -1 and the genesis hash before the first). */
export interface ChainLink {
  readonly revision: number;
  readonly hash: string;
}
export const CHAIN_START: ChainLink = { revision: -1, hash: GENESIS_HASH };

/**
 * How `event` fails to follow `previous` in its stream, or null when it does: `order` (not the
 * next revision), `link` (does not name the previous hash) or `content` (does not match its own
 * hash). One check for a stream's integrity and for the whole ledger's.
 */
export function linkProblem(event: RecordedEvent, previous: ChainLink): 'order' | 'link' | 'content' | null {
  const { hash, ...rest } = event.metadata;
  if (event.revision !== previous.revision + 1) return 'order';
  if (rest.prevHash !== previous.hash) return 'link';
  return hashEvent({ ...event, metadata: rest }) === hash ? null : 'content';
}

/**
 * Recomputes a stream's chain; names the first revision whose content or link does not match.
 * With the event keys, every event must also authenticate, except those written before events were
 * (naming no key) ahead of the stream's first authenticated one (decision 0023).
 */
export function verifyChain(events: readonly RecordedEvent[], keys?: EventKeyRing | null): IntegrityReport {
  let previous = CHAIN_START;
  let authenticated = false;
  const headHash = events.at(-1)?.metadata.hash ?? null;
  for (const event of events) {
    const problem = linkProblem(event, previous) ?? authenticationProblem(event, keys, authenticated);
    if (problem) return { valid: false, events: events.length, headHash, firstInvalidRevision: event.revision, problem };
    authenticated ||= claimsAuthentication(event);
    previous = { revision: event.revision, hash: event.metadata.hash };
  }
  return { valid: true, events: events.length, headHash, firstInvalidRevision: null };
}

/**
 * Why an event does not authenticate, or null: without the keys only whether it names one when an
 * earlier event did (checkable by anyone); with them, its MAC too.
 */
export function authenticationProblem(
  event: RecordedEvent,
  keys: EventKeyRing | null | undefined,
  authenticatedBefore: boolean,
): 'unauthenticated' | 'unknown-key' | 'bad-mac' | null {
  if (!keys) return authenticatedBefore && !claimsAuthentication(event) ? 'unauthenticated' : null;
  const found = authenticationOf(event, keys);
  if (found === 'authenticated') return null;
  if (found === 'unauthenticated') return authenticatedBefore ? 'unauthenticated' : null;
  return found;
}
