import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { KeyStore } from './key-store';
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
    private readonly keys: KeyStore,
    private readonly clock: () => string,
  ) {}

  /** `plain` encrypted for `subject` (the resident's reference), chunk by chunk. */
  async *seal(plain: AsyncIterable<Uint8Array>, subject: string): AsyncGenerator<Buffer> {
    await this.keys.loadSubject(subject); // a store elsewhere (EventStoreDB) fetches the resident's key first
    const { id, key } = this.keys.keyFor(subject, this.clock());
    const prefix = Buffer.from(randomView(8));
    const keyId = Buffer.from(id);
    yield Buffer.concat([MAGIC, Buffer.of(keyId.length), keyId, prefix]);
    let index = 0;
    const pending = new Pieces();
    for await (const piece of plain) {
      pending.add(piece);
      // a full chunk is sealed only once more follows it, so the last one is always known as last
      while (pending.length > CHUNK) yield sealChunk(key, prefix, index++, pending.take(CHUNK), false);
    }
    yield sealChunk(key, prefix, index, pending.take(pending.length), true);
  }

  /** The document's bytes from what `seal` wrote; DocumentErased when its key is gone, DocumentUnreadable when it does not open. */
  async *open(sealed: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    const pending = new Pieces();
    let header: { key: Buffer; prefix: Buffer } | null = null;
    let index = 0;
    for await (const piece of sealed) {
      pending.add(piece);
      if (!header) {
        const start = pending.take(Math.min(pending.length, 5 + 255 + 8));
        if (start.length < 5 || start.length < 5 + start[4]! + 8) {
          pending.putBack(start);
          continue;
        }
        header = await this.headerOf(start);
        pending.putBack(start.subarray(5 + start[4]! + 8));
      }
      while (pending.length > CHUNK + TAG) yield openChunk(header.key, header.prefix, index++, pending.take(CHUNK + TAG), false);
    }
    if (!header || pending.length < TAG) throw new DocumentUnreadable('the stored document is cut short');
    yield openChunk(header.key, header.prefix, index, pending.take(pending.length), true);
  }

  private async headerOf(bytes: Buffer): Promise<{ key: Buffer; prefix: Buffer }> {
    if (!bytes.subarray(0, 4).equals(MAGIC)) throw new DocumentUnreadable('the stored document is not one this ledger wrote');
    const length = bytes[4]!;
    const id = bytes.subarray(5, 5 + length).toString();
    await this.keys.load([id]);
    const key = this.keys.find(id);
    if (!key) throw new DocumentErased();
    return { key, prefix: bytes.subarray(5 + length, 5 + length + 8) };
  }
}

/** Pieces of a stream queued until a chunk's worth is there: each byte is copied once, into the chunk taken. */
class Pieces {
  private readonly queue: Buffer[] = [];
  length = 0;

  add(piece: Uint8Array): void {
    this.queue.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    this.length += piece.byteLength;
  }

  putBack(piece: Buffer): void {
    if (!piece.length) return;
    this.queue.unshift(piece);
    this.length += piece.length;
  }

  /** The first `bytes` bytes (fewer if fewer are queued). */
  take(bytes: number): Buffer {
    const parts: Buffer[] = [];
    let wanted = Math.min(bytes, this.length);
    this.length -= wanted;
    while (wanted > 0) {
      const first = this.queue[0]!;
      if (first.length <= wanted) {
        parts.push(this.queue.shift()!);
        wanted -= first.length;
      } else {
        parts.push(first.subarray(0, wanted));
        this.queue[0] = first.subarray(wanted);
        wanted = 0;
      }
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
