import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RecordedEvent } from './port';

/**
 * A secret that authenticates the events this ledger writes (HMAC-SHA-256, decision 0023), kept
 * apart from the data like the signing key. Its id is derived from it, so a key ring names each key
 * without a name to keep in step, and the id reveals nothing of the secret.
 */
export interface EventKey {
  readonly id: string;
  readonly secret: Buffer;
}

export function eventKeyOf(secret: Buffer): EventKey {
  if (secret.length !== 32) throw new Error('an event key must be 32 bytes');
  const id = createHash('sha256').update('complaint-ledger event-key id\n').update(secret).digest('hex').slice(0, 16);
  return { id, secret };
}

/**
 * The keys events are checked with, by id, and the one new events are authenticated under (the
 * last in the file). Rotating is adding a line: events keep naming the key they were written with.
 */
export class EventKeyRing {
  private readonly byId: ReadonlyMap<string, EventKey>;

  constructor(
    keys: readonly EventKey[],
    /** The key new events are authenticated under. */
    readonly current: EventKey = keys.at(-1)!,
  ) {
    if (!keys.length) throw new Error('an event key ring needs at least one key');
    this.byId = new Map(keys.map((key) => [key.id, key]));
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * From a file of keys, one a line, each 32 bytes in base64 (`openssl rand -base64 32`), `#`
   * starting a comment: the last writes, every one verifies.
   */
  static fromFile(path: string): EventKeyRing {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    const keys = lines.map((line, index) => {
      const secret = Buffer.from(line, 'base64');
      if (secret.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(line))
        throw new Error(`${path}: line ${index + 1} is not 32 bytes in base64 (openssl rand -base64 32)`);
      return eventKeyOf(secret);
    });
    if (!keys.length) throw new Error(`${path} holds no event key (one a line, openssl rand -base64 32)`);
    return new EventKeyRing(keys);
  }

  key(id: string): EventKey | undefined {
    return this.byId.get(id);
  }
}

/**
 * The MAC of an event: over its own hash, which already covers everything recorded (its data, its
 * metadata with the key's id, its type, stream, revision and the previous hash). One HMAC over 64
 * characters per event, whatever the event's size.
 */
export function macOf(key: EventKey, hash: string): string {
  return createHmac('sha256', key.secret).update(`complaint-ledger event v1\n${hash}`).digest('base64url');
}

/** What seals events (a store's adapters): the key id to record in the metadata, and the MAC over the hash. */
export interface EventSealer {
  readonly keyId: string;
  mac(hash: string): string;
}

export const sealerOf = (key: EventKey): EventSealer => ({ keyId: key.id, mac: (hash) => macOf(key, hash) });

/**
 * How an event stands against the ring: `authenticated`; `unauthenticated` (it names no key: written
 * before events were authenticated, or forged without one); `unknown-key` (it names a key the ring
 * lacks); `bad-mac` (it names a key of the ring, and its MAC is not that key's over its hash).
 */
export type Authentication = 'authenticated' | 'unauthenticated' | 'unknown-key' | 'bad-mac';

export function authenticationOf(event: Pick<RecordedEvent, 'metadata'>, ring: EventKeyRing): Authentication {
  const { macKeyId, mac, hash } = event.metadata;
  if (macKeyId === undefined) return mac === undefined ? 'unauthenticated' : 'bad-mac';
  const key = ring.key(macKeyId);
  if (!key) return 'unknown-key';
  if (typeof mac !== 'string') return 'bad-mac';
  const expected = Buffer.from(macOf(key, hash));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'authenticated' : 'bad-mac';
}

/** Whether the event claims to be authenticated (names a key): checkable without the key. */
export const claimsAuthentication = (event: Pick<RecordedEvent, 'metadata'>): boolean =>
  event.metadata.macKeyId !== undefined || event.metadata.mac !== undefined;
