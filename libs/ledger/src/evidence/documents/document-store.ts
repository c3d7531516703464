import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { syncFile } from '@complaint-ledger/event-store';

/** What was stored: its size and SHA-256 (of the bytes as stored). */
export interface Stored {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Where documents' bytes are kept (already encrypted: the store sees ciphertext only), by key.
 * Shaped for object storage: whole objects put once and never changed, read as a stream, deleted;
 * no listing, no appending, no renaming. The folder adapter is the default.
 */
export interface DocumentStore {
  /** Stores `content` under `key`, whole or not at all. */
  put(key: string, content: AsyncIterable<Uint8Array>): Promise<Stored>;
  /** The bytes stored under `key`, or null when there are none. */
  get(key: string): AsyncIterable<Buffer> | null;
  delete(key: string): Promise<void>;
}

const KEY = /^[0-9a-f-]{36}$/;

/**
 * Documents as files in a folder (`LEDGER_DOCUMENTS_PATH`), one per key, in sub-folders by the
 * key's first two characters. A file is written under a temporary name, synced, and renamed into
 * place, so a crash leaves a whole document or none; nothing is ever rewritten.
 */
export class FolderDocumentStore implements DocumentStore {
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`"${key}" is not a document key`);
    return join(this.root, key.slice(0, 2), key);
  }

  async put(key: string, content: AsyncIterable<Uint8Array>): Promise<Stored> {
    const path = this.pathOf(key);
    mkdirSync(join(this.root, '.incoming'), { recursive: true, mode: 0o700 }); // made when first written: a verifier only reads
    const incoming = join(this.root, '.incoming', `${key}.${randomUUID()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        content,
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const piece of source) {
            hash.update(piece);
            bytes += piece.length;
            yield piece;
          }
        },
        createWriteStream(incoming, { mode: 0o600, flags: 'wx' }),
      );
      syncFile(incoming);
      mkdirSync(join(this.root, key.slice(0, 2)), { recursive: true, mode: 0o700 });
      if (existsSync(path)) throw new Error(`a document is already stored under ${key}`);
      renameSync(incoming, path);
      syncFile(join(this.root, key.slice(0, 2)));
    } finally {
      rmSync(incoming, { force: true });
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  get(key: string): AsyncIterable<Buffer> | null {
    const path = this.pathOf(key);
    return existsSync(path) ? createReadStream(path) : null;
  }

  async delete(key: string): Promise<void> {
    rmSync(this.pathOf(key), { force: true });
  }
}
