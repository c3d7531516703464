import { createHash, randomUUID } from 'node:crypto';
import { complaintEventOf, foldEvents, isAfter, type Direction, type DocumentKind, type DocumentRecord } from '@complaint-ledger/domain';
import { complaintStream, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import { DocumentErased, DocumentUnreadable, type DocumentCipher } from '@complaint-ledger/privacy';
import { ComplaintNotFound, ComplaintNotYet } from '../../read/errors';
import type { CommandOutcome, RetryIdentity, WritePath } from '../../write/write-path';
import type { DocumentStore } from './document-store';
import { DocumentGone, DocumentNotFound, DocumentTampered, DocumentTooLarge, UnsupportedDocument } from './errors';
import { MediaTypeSniffer } from './media-type';

/** What the sender says of a document; what it is (type, size, hash) the ledger finds for itself. */
export interface DocumentUpload {
  readonly complaintId: string;
  readonly title: string;
  readonly kind: DocumentKind;
  readonly direction: Direction;
  readonly dated: string;
  readonly content: AsyncIterable<Uint8Array>;
  readonly actor: string;
  readonly correlationId: string;
  readonly retry?: Omit<RetryIdentity, 'request'> & { readonly method: string; readonly path: string };
}

export interface AttachedDocument extends CommandOutcome {
  readonly documentId: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly mediaType: string;
}

/** A document's record found wanting against what is stored. */
export interface DocumentProblem {
  readonly documentId: string;
  readonly revision: number;
  readonly problem: 'missing' | 'altered';
  readonly detail: string;
}

/**
 * Documents on complaints' records (Code 5.12): taken in as a stream (never held whole), checked
 * for type by their bytes and for size as they come, encrypted under the resident's data key into
 * the document store, and recorded by the decider as `DocumentAttached` with their SHA-256, size
 * and type. Read back only after their hash is checked; a document missing or altered is
 * tampering, reported and never served.
 */
export class Documents {
  constructor(
    private readonly store: DocumentStore,
    private readonly cipher: DocumentCipher,
    private readonly write: WritePath,
    private readonly events: EventStore,
    readonly maxBytes: number,
  ) {}

  async attach(upload: DocumentUpload): Promise<AttachedDocument> {
    const complaint = foldEvents((await this.recorded(upload.complaintId)).map(complaintEventOf))!;
    const documentId = randomUUID();
    const sniffer = new MediaTypeSniffer();
    const hash = createHash('sha256');
    let bytes = 0;
    const limit = this.maxBytes;
    async function* measured(content: AsyncIterable<Uint8Array>) {
      for await (const piece of content) {
        bytes += piece.length;
        if (bytes > limit) throw new DocumentTooLarge(limit);
        sniffer.feed(piece);
        hash.update(piece);
        yield piece;
      }
    }
    const stored = await this.store.put(documentId, this.cipher.seal(measured(upload.content), complaint.resident.reference));
    const mediaType = sniffer.type();
    if (!mediaType || !bytes) {
      await this.store.delete(documentId);
      throw new UnsupportedDocument();
    }
    const data = {
      documentId,
      sha256: hash.digest('hex'),
      storedSha256: stored.sha256,
      bytes,
      mediaType,
      title: upload.title,
      kind: upload.kind,
      direction: upload.direction,
      dated: upload.dated,
    };
    const { retry } = upload;
    // a retry is the same document with the same description: its hash stands for the body
    const body = { sha256: data.sha256, title: data.title, kind: data.kind, direction: data.direction, dated: data.dated };
    let outcome: CommandOutcome;
    try {
      outcome = await this.write.execute({
        complaintId: upload.complaintId,
        command: { type: 'AttachDocument', data },
        actor: upload.actor,
        correlationId: upload.correlationId,
        ...(retry ? { retry: { idempotencyKey: retry.idempotencyKey, request: { method: retry.method, path: retry.path, body } } } : {}),
      });
    } catch (error) {
      await this.store.delete(documentId); // refused: nothing of it is kept
      throw error;
    }
    if (outcome.replayed) {
      await this.store.delete(documentId); // the first upload's copy is the one on the record
      const first = (await this.documentsOf(upload.complaintId)).find((document) => document.sha256 === data.sha256)!;
      return { ...outcome, documentId: first.documentId, sha256: first.sha256, bytes: first.bytes, mediaType: first.mediaType };
    }
    return { ...outcome, documentId, sha256: data.sha256, bytes, mediaType };
  }

  /** The complaint's documents (those recorded by `knownAt`, if given). */
  async documentsOf(complaintId: string, knownAt?: string): Promise<readonly DocumentRecord[]> {
    return foldEvents((await this.recorded(complaintId, knownAt)).map(complaintEventOf))?.documents ?? [];
  }

  /**
   * A document's record and its bytes, once they are known to be the document recorded: the
   * whole document is decrypted and hashed first, then served in a second pass that is hashed
   * again (and stops with an error, rather than end normally, if it no longer matches).
   */
  async open(
    complaintId: string,
    documentId: string,
    knownAt?: string,
  ): Promise<{ record: DocumentRecord; content: AsyncIterable<Buffer> }> {
    const record = (await this.documentsOf(complaintId, knownAt)).find((document) => document.documentId === documentId);
    if (!record) throw new DocumentNotFound(documentId);
    for await (const _piece of this.checked(record)); // the first pass: nothing is served unless all of it matches
    return { record, content: this.checked(record) };
  }

  /** The document's bytes, decrypted, hashed as they pass; DocumentTampered when they are not the ones recorded. */
  async *checked(record: DocumentRecord): AsyncGenerator<Buffer> {
    const stored = this.store.get(record.documentId);
    if (!stored) throw new DocumentTampered(record.documentId, 'missing', 'the document store holds nothing under its id');
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const piece of this.cipher.open(stored)) {
        hash.update(piece);
        bytes += piece.length;
        yield piece;
      }
    } catch (error) {
      if (error instanceof DocumentErased) throw new DocumentGone(record.documentId);
      if (error instanceof DocumentUnreadable) throw new DocumentTampered(record.documentId, 'altered', error.message);
      throw error;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== record.sha256 || bytes !== record.bytes)
      throw new DocumentTampered(record.documentId, 'altered', `its SHA-256 is ${sha256}, not the ${record.sha256} recorded`);
  }

  /**
   * Each document's stored bytes against the hash of its encrypted form in the record: needs no
   * key, so it holds after erasure, and is what the complaint's integrity and `npm run verify` check.
   */
  async problems(records: readonly DocumentRecord[]): Promise<DocumentProblem[]> {
    return checkStored(this.store, records);
  }

  private async recorded(complaintId: string, knownAt?: string): Promise<RecordedEvent[]> {
    const all = await this.events.readStream(complaintStream(complaintId));
    if (!all.length) throw new ComplaintNotFound(complaintId);
    if (!knownAt) return all;
    const recorded = all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt));
    // as the history and the pack say it: a complaint not yet recorded then is not there, rather than there with no documents
    if (!recorded.length) throw new ComplaintNotYet('recorded', complaintId, knownAt);
    return recorded;
  }
}

/** Each record's stored bytes hashed and compared with the record's `storedSha256`; the ones that are missing or differ. */
export async function checkStored(
  store: DocumentStore,
  records: readonly Pick<DocumentRecord, 'documentId' | 'revision' | 'storedSha256'>[],
): Promise<DocumentProblem[]> {
  const problems: DocumentProblem[] = [];
  for (const { documentId, revision, storedSha256 } of records) {
    const stored = store.get(documentId);
    if (!stored) {
      problems.push({ documentId, revision, problem: 'missing', detail: 'the document store holds nothing under its id' });
      continue;
    }
    const hash = createHash('sha256');
    for await (const piece of stored) hash.update(piece);
    const found = hash.digest('hex');
    if (found !== storedSha256)
      problems.push({
        documentId,
        revision,
        problem: 'altered',
        detail: `what is stored hashes to ${found}, not the ${storedSha256} recorded`,
      });
  }
  return problems;
}
