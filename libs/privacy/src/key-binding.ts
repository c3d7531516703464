import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { randomView } from './random-pool';

/**
 * A resident's data key wrapped by the master key and bound to its row (decision 0023): the
 * resident it belongs to and its id are the wrap's additional authenticated data, so a row whose
 * subject or id was changed, or whose wrapped key was swapped with another row's, does not open,
 * and is reported as the tampering it is, never taken for an erasure. Form 2 (61 bytes): a 0x02
 * byte, the IV (12), the tag (16), the key (32). Form 1 (60 bytes, no leading byte, no additional
 * data) is what the key file held before; it is re-wrapped into form 2 once, when the file is
 * first opened by this version (DataKeyStore), and refused after.
 */
const FORM_2 = 0x02;
const FORM_1_LENGTH = 60;

const boundTo = (subject: string, keyId: string) => Buffer.from(`complaint-ledger data-key v2\n${JSON.stringify([subject, keyId])}`);

export function wrapKey(masterKey: Buffer, key: Buffer, subject: string, keyId: string): Buffer {
  const iv = randomView(12); // copied into the result below
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(boundTo(subject, keyId));
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([Buffer.of(FORM_2), iv, cipher.getAuthTag(), sealed]);
}

/** Whether a wrapped key is in the form written before keys were bound to their rows. */
export const isUnboundForm = (wrapped: Buffer): boolean => wrapped.length === FORM_1_LENGTH;

/**
 * The key, when `wrapped` opens as `subject`'s key `keyId` under the master key; null when it does
 * not (the row was altered, or the form-1 wrap `unbound` allows only during the one migration).
 */
export function unwrapKey(masterKey: Buffer, wrapped: Buffer, subject: string, keyId: string, unbound = false): Buffer | null {
  try {
    if (unbound && isUnboundForm(wrapped)) return open(masterKey, wrapped.subarray(0, 12), wrapped.subarray(12, 28), wrapped.subarray(28));
    if (wrapped[0] !== FORM_2 || wrapped.length !== FORM_1_LENGTH + 1) return null;
    return open(masterKey, wrapped.subarray(1, 13), wrapped.subarray(13, 29), wrapped.subarray(29), boundTo(subject, keyId));
  } catch {
    return null;
  }
}

function open(masterKey: Buffer, iv: Buffer, tag: Buffer, sealed: Buffer, aad?: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', masterKey, iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed), decipher.final()]);
}

/** An erasure as the key file records it: who, when, why; `legacy` when it was recorded before destroyed keys were listed. */
export interface ErasureRecord {
  readonly subject: string;
  readonly erasedAt: string;
  readonly actor: string;
  readonly reason: string;
  readonly legacy: boolean;
}

/** A key destroyed by an erasure (or never written, its resident erased first): listed, so its absence is accounted for. */
export interface ErasedKey {
  readonly keyId: string;
  readonly subject: string;
  readonly erasedAt: string;
}

/**
 * The MACs that make erasure records the ledger's own, under a key derived from the master key:
 * whoever can write the key file but lacks the master key cannot record an erasure, or list a key
 * as erased, to pass a deleted key off as an erasure.
 */
const recordKey = (masterKey: Buffer) => createHmac('sha256', masterKey).update('complaint-ledger erasure-record key').digest();

const macOver = (masterKey: Buffer, statement: string) => createHmac('sha256', recordKey(masterKey)).update(statement).digest('base64url');

export const erasureMac = (masterKey: Buffer, { subject, erasedAt, actor, reason, legacy }: ErasureRecord): string =>
  macOver(masterKey, `complaint-ledger erasure v1\n${JSON.stringify([subject, erasedAt, actor, reason, legacy])}`);

export const erasedKeyMac = (masterKey: Buffer, { keyId, subject, erasedAt }: ErasedKey): string =>
  macOver(masterKey, `complaint-ledger erased-key v1\n${JSON.stringify([keyId, subject, erasedAt])}`);

/** Whether `mac` is the expected one (compared in constant time). */
export function macMatches(expected: string, mac: string | null | undefined): boolean {
  if (!mac) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(mac);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A master key's id: the first 16 hex digits of SHA-256 over a label and the key. The key file
 * records the id of the key its rows are wrapped under (decision 0030), so a service given another
 * says so at start; the id tells nothing of the key.
 */
export const masterKeyId = (masterKey: Buffer): string =>
  createHash('sha256').update('complaint-ledger master-key id\n').update(masterKey).digest('hex').slice(0, 16);

/**
 * The master key given is not the one the residents' keys are wrapped under (another key, or the
 * old one after a rotation): every resident would read as erased, so nothing is opened.
 */
export class MasterKeyMismatch extends Error {
  constructor(
    readonly path: string,
    readonly wrappedUnder: string,
    readonly given: string,
  ) {
    super(
      `the master key does not match the residents' key file ${path}: its keys are wrapped under master key ${wrappedUnder}, ` +
        `and the key given (LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE) is ${given}; start with the key the file is wrapped under ` +
        `(after npm run keys:rotate, the new one)`,
    );
    this.name = 'MasterKeyMismatch';
  }
}

/**
 * The key file was altered by someone without the master key: a key row whose resident, id or
 * wrapped key was changed or swapped, a key missing with no erasure of its resident to account for
 * it, an erasure record the ledger did not write. Reported as tampering, never as an erasure.
 */
export class KeyStoreAltered extends Error {
  constructor(readonly detail: string) {
    super(`the residents' key file was altered: ${detail}`);
    this.name = 'KeyStoreAltered';
  }
}
