import { mapPersonalData, type ComplaintEvent } from '@complaint-ledger/domain';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { KeyStore } from './key-store';
import { KeyStoreAltered } from './key-binding';
import { randomView } from './random-pool';

/** What a reader sees in place of personal data whose resident has been erased. */
export const ERASED = '[erased]';

/** What a reader sees where the key file was altered (a key row deleted, swapped or moved): not an erasure, and not shown as one. */
export const WITHHELD = '[withheld: key file altered]';

const PREFIX = 'enc:v1:';

/**
 * Encrypts the personal data in events (the paths the domain lists: names and contact details,
 * disabilities and adjustments) under the resident's data key, AES-256-GCM, each value as a
 * string `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts), so payloads keep their
 * shape and the hash chain covers the ciphertext. `reveal` turns any JSON (events, state,
 * exports, read-model documents) back into clear text for an authorised reader, or `[erased]`.
 * Both work from the keys in memory: whoever seals first has the store load the resident's keys
 * (`KeyStore.loadSubject`), and a reader reveals through `revealed`, which loads the keys its value
 * names (a no-op for the SQLite file; a fetch from EventStoreDB: decision 0028).
 */
export class PersonalDataCipher {
  constructor(
    private readonly keys: KeyStore,
    private readonly clock: () => string,
  ) {}

  /** The event's data with its personal data encrypted for `subject` (the resident's reference). */
  protect(event: Pick<ComplaintEvent, 'type' | 'data'>, subject: string): object {
    let key: { id: string; key: Buffer } | undefined; // made only if there is something to encrypt
    const sealed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sealed); // a list of free text (outstanding actions)
      if (typeof value !== 'string') return value;
      key ??= this.keys.keyFor(subject, this.clock());
      return seal(value, key.id, key.key);
    };
    return mapPersonalData(event, sealed).data;
  }

  /**
   * Null when the keys of these residents are in memory, else a promise that settles when they are:
   * whoever calls `protect` for them calls this first (KeyStore.loadSubject).
   */
  loadKeysOf(subjects: Iterable<string>): Promise<void> | null {
    const loading = [...new Set(subjects)].map((subject) => this.keys.loadSubject(subject)).filter((load) => load !== null);
    return loading.length ? Promise.all(loading).then(() => undefined) : null;
  }

  /**
   * Null when every key `protect` has used is durably stored, else a promise that settles when they
   * are: whoever stores what `protect` returned waits for it first (KeyStore.durable).
   */
  keysDurable(): Promise<void> | null {
    return this.keys.durable();
  }

  /** `reveal`, once the keys the value's encrypted strings name are loaded. */
  async revealed<T>(value: T): Promise<T> {
    await this.loadKeysIn(value);
    return this.reveal(value);
  }

  /** Null when the keys `value`'s encrypted strings name are in memory, else a promise that settles once they are: for callers that reveal later, piece by piece. */
  loadKeysIn(value: unknown): Promise<void> | null {
    const ids = new Set<string>();
    collectKeyIds(value, ids);
    return ids.size ? this.keys.load(ids) : null;
  }

  /** A deep copy of `value` with every encrypted string decrypted, or `[erased]`, from the keys in memory (see `revealed`). */
  reveal<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return value.startsWith(PREFIX) ? this.open(value) : value;
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.walk(item)]));
    }
    return value;
  }

  private open(sealed: string): string {
    const [keyId, iv, tag, text] = partsOf(sealed);
    let key: Buffer | null;
    try {
      key = keyId ? this.keys.find(keyId) : null;
    } catch (error) {
      if (error instanceof KeyStoreAltered) return WITHHELD; // reported by the key store to whoever watches it
      throw error;
    }
    if (!key) return keyId && !this.keys.accountsFor(keyId) ? WITHHELD : ERASED; // a missing key no erasure accounts for is not an erasure
    if (!iv || !tag || text === undefined) return ERASED;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(text, 'base64url')), decipher.final()]).toString();
    } catch {
      return ERASED;
    }
  }
}

/** Whether `text` has the form of a value this ledger encrypted (what `reveal` would decrypt). */
export const isSealed = (text: string): boolean => text.startsWith(PREFIX);

/** The id of the data key a sealed value was encrypted under, or null when the value is not sealed. */
export const keyIdOf = (value: string): string | null => (value.startsWith(PREFIX) ? (partsOf(value)[0] ?? null) : null);

/** Adds to `ids` the key id of every encrypted string in `value`. */
function collectKeyIds(value: unknown, ids: Set<string>): void {
  if (typeof value === 'string') {
    if (value.startsWith(PREFIX)) ids.add(value.slice(PREFIX.length, value.indexOf(':', PREFIX.length))); // the id alone, not every part
  } else if (Array.isArray(value)) for (const item of value) collectKeyIds(item, ids);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectKeyIds(item, ids);
}

/** A sealed value's key id, IV, tag and ciphertext (what `seal` joined). */
const partsOf = (sealed: string): (string | undefined)[] => sealed.slice(PREFIX.length).split(':');

function seal(value: string, keyId: string, key: Buffer): string {
  const iv = randomView(12); // a 96-bit random IV per value, used at once
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const text = Buffer.concat([cipher.update(value), cipher.final()]);
  const parts = [keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), text.toString('base64url')];
  return PREFIX + parts.join(':');
}
