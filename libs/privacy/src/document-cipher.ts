import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { DataKeyStore } from './data-keys';
import { randomView } from './random-pool';

/**
 * A document's bytes encrypted under its resident's data key, as a stream, in chunks: AES-256-GCM
 * over each 64 KiB with its own nonce (a random prefix and the chunk's number) and a flag for the
 * last chunk in the authenticated data, so a chunk changed, moved, dropped or cut off fails to
 * open rather than yielding other bytes. Neither side ever holds the whole document.
 *
 * Layout: `CLD1`, the key id's length (one byte) and the key id, the 8-byte nonce prefix, then
 * each chunk's ciphertext followed by its 16-byte tag. Erasing the resident destroys the key:
 * the document can then never be opened again, like the rest of their data.
 */
const MAGIC = Buffer.from('CLD1');
const CHUNK = 64 * 1024;
const TAG = 16;

/** The document's resident's key was destroyed (erasure): it can never be read again. */
export class DocumentErased extends Error {
  constructor() {
    super("the document's resident was erased: it can no longer be read");
  }
}

/** What is stored does not open under its key: it was altered, cut short or replaced. */
export class DocumentUnreadable extends Error {}

export class DocumentCipher {
  constructor(
    private readonly keys: DataKeyStore,
    private readonly clock: () => string,
  ) {}

  /** `plain` encrypted for `subject` (the resident's reference), chunk by chunk. */
  async *seal(plain: AsyncIterable<Uint8Array>, subject: string): AsyncGenerator<Buffer> {
    const { id, key } = this.keys.keyFor(subject, this.clock());
    const prefix = Buffer.from(randomView(8));
    const keyId = Buffer.from(id);
    yield Buffer.concat([MAGIC, Buffer.of(keyId.length), keyId, prefix]);
    let index = 0;
    let pending = Buffer.alloc(0);
    for await (const piece of plain) {
      pending = pending.length ? Buffer.concat([pending, piece]) : Buffer.from(piece);
      // a full chunk is sealed only once more follows it, so the last one is always known as last
      while (pending.length > CHUNK) {
        yield sealChunk(key, prefix, index++, pending.subarray(0, CHUNK), false);
        pending = pending.subarray(CHUNK);
      }
    }
    yield sealChunk(key, prefix, index, pending, true);
  }

  /** The document's bytes from what `seal` wrote; DocumentErased when its key is gone, DocumentUnreadable when it does not open. */
  async *open(sealed: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    let pending = Buffer.alloc(0);
    let header: { key: Buffer; prefix: Buffer } | null = null;
    let index = 0;
    for await (const piece of sealed) {
      pending = pending.length ? Buffer.concat([pending, piece]) : Buffer.from(piece);
      if (!header) {
        if (pending.length < 5 || pending.length < 5 + pending[4]! + 8) continue;
        header = this.headerOf(pending);
        pending = pending.subarray(5 + pending[4]! + 8);
      }
      while (pending.length > CHUNK + TAG) {
        yield openChunk(header.key, header.prefix, index++, pending.subarray(0, CHUNK + TAG), false);
        pending = pending.subarray(CHUNK + TAG);
      }
    }
    if (!header || pending.length < TAG) throw new DocumentUnreadable('the stored document is cut short');
    yield openChunk(header.key, header.prefix, index, pending, true);
  }

  private headerOf(bytes: Buffer): { key: Buffer; prefix: Buffer } {
    if (!bytes.subarray(0, 4).equals(MAGIC)) throw new DocumentUnreadable('the stored document is not one this ledger wrote');
    const length = bytes[4]!;
    const key = this.keys.find(bytes.subarray(5, 5 + length).toString());
    if (!key) throw new DocumentErased();
    return { key, prefix: bytes.subarray(5 + length, 5 + length + 8) };
  }
}

function nonce(prefix: Buffer, index: number): Buffer {
  const iv = Buffer.alloc(12);
  prefix.copy(iv);
  iv.writeUInt32BE(index, 8);
  return iv;
}

function sealChunk(key: Buffer, prefix: Buffer, index: number, plain: Buffer, last: boolean): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce(prefix, index));
  cipher.setAAD(Buffer.of(last ? 1 : 0));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(key: Buffer, prefix: Buffer, index: number, sealed: Buffer, last: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce(prefix, index));
  decipher.setAAD(Buffer.of(last ? 1 : 0));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new DocumentUnreadable(`the stored document does not open at chunk ${index}: it was altered`);
  }
}
