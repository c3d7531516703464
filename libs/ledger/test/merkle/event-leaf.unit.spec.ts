import { chain, GENESIS_HASH, hashEvent, type RecordedEvent } from '@complaint-ledger/event-store';
import { eventLeaf, inclusionProofProblem, leafHash, MemoryMerkleNodeStore, MerkleTree } from '../../src';

const metadata = { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'api-key:alice', correlationId: 'c-1', schemaVersion: 1 };

/** A stream of `count` chained events, at positions 10, 20, 30, … of the log. */
function stream(streamId: string, count: number, firstPosition: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (let revision = 0; revision < count; revision++) {
    const event = { eventId: `${streamId}-${revision}`, type: 'ComplaintAcknowledged', data: { stage: revision + 1 }, metadata };
    const sealed = chain(streamId, revision, event, events.at(-1)?.metadata.hash ?? GENESIS_HASH, '2024-05-01T09:00:01.000Z');
    events.push({ ...sealed, position: firstPosition + 10 * revision });
  }
  return events;
}

describe("an event's leaf", () => {
  it('is the text the decision record gives: position, stream as JSON, revision and own hash, a line each', () => {
    const event = { position: 41, streamId: 'complaint-0f8fad5b', revision: 3, metadata: { hash: 'ab'.repeat(32) } };
    expect(eventLeaf(event).toString()).toBe(
      `complaint-ledger leaf v1\nposition 41\nstream "complaint-0f8fad5b"\nrevision 3\nhash ${'ab'.repeat(32)}\n`,
    );
    // every signed tree head stands on these bytes (the hash as `printf '\x00…' | sha256sum` gives it):
    // a change of format is a new leaf version, never a quiet edit
    expect(leafHash(eventLeaf(event)).toString('hex')).toBe('35eed2aa0075790233615f4db406a56dafe4cda5a67944b6bbff4685f4ee47c6');
  });

  it('writes a stream id with quotes or line breaks escaped, so it cannot pass for other lines', () => {
    const event = { position: 1, streamId: 'a"\nrevision 9', revision: 0, metadata: { hash: 'cd'.repeat(32) } };
    expect(eventLeaf(event).toString()).toContain('stream "a\\"\\nrevision 9"\nrevision 0\n');
  });
});

describe('an inclusion proof of an event in the tree over the log', () => {
  const log = [...stream('complaint-a', 3, 10), ...stream('complaint-b', 4, 15)].sort((x, y) => x.position - y.position);
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  tree.addAll(log.map(eventLeaf));
  const root = tree.root();

  it('verifies for every event at its index in the log', () => {
    log.forEach((event, index) => expect(inclusionProofProblem(leafHash(eventLeaf(event)), tree.inclusionProof(index), root)).toBeNull());
  });

  it('fails for the event at another position, in another stream, at another revision, or with anything recorded changed', () => {
    const index = 3;
    const event = log[index]!;
    const proof = tree.inclusionProof(index);
    const { hash: _ownHash, ...unsealed } = event.metadata;
    const altered = { ...event, data: { stage: 9 }, metadata: unsealed };
    for (const other of [
      { ...event, position: event.position + 1 },
      { ...event, streamId: 'complaint-c' },
      { ...event, revision: event.revision + 1 },
      { ...event, metadata: { ...event.metadata, hash: hashEvent(altered) } },
    ]) {
      expect(inclusionProofProblem(leafHash(eventLeaf(other)), proof, root)).toMatch(/does not lead to the root/);
    }
  });
});
