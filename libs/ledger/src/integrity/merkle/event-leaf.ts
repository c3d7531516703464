import type { RecordedEvent } from '@complaint-ledger/event-store';

/** What of an event its leaf binds: where it is in the log, whose it is, and its own hash. */
export type LeafOf = Pick<RecordedEvent, 'position' | 'streamId' | 'revision'> & { readonly metadata: { readonly hash: string } };

/**
 * The leaf of an event in the tree over the log (decision 0022): its position, stream, revision
 * and own hash, as text lines like a checkpoint's statement. The own hash covers everything else
 * recorded (its data, metadata and type, and the hash of the stream's previous event), so an
 * inclusion proof of this leaf proves that exact event, at that position in the log. The stream
 * is written as a JSON string, the numbers in decimal and the hash last, so two different events
 * never share a leaf. The leaf's index in the tree is the number of events before it in the log.
 */
export function eventLeaf({ position, streamId, revision, metadata }: LeafOf): Buffer {
  return Buffer.from(
    `complaint-ledger leaf v1\nposition ${position}\nstream ${JSON.stringify(streamId)}\nrevision ${revision}\nhash ${metadata.hash}\n`,
  );
}
