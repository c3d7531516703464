import { randomUUID } from 'node:crypto';
import { EventKeyRing, eventKeyOf, MemoryEventStore, type NewEvent, type RecordedEvent } from '@complaint-ledger/event-store';
import { streamProblem } from '../src/integrity/stream-check';

/**
 * A stream read only from its end (the checkpoint stream: the decision loop reads its last event
 * alone, decision 0027) is checked as what verification covers too (decision 0023): the events read
 * against their hashes and MACs, and against the link verification last saw where it is in reach.
 */
const key = eventKeyOf(Buffer.alloc(32, 3));
const keys = new EventKeyRing([key]);
const STREAM = 'ledger-checkpoints';
const event = (): NewEvent => ({
  eventId: randomUUID(),
  type: 'LedgerCheckpointed',
  data: { position: 1 },
  metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'test', correlationId: randomUUID(), schemaVersion: 1 },
});
const linkOf = (recorded: RecordedEvent) => ({ revision: recorded.revision, hash: recorded.metadata.hash });

let all: RecordedEvent[];
beforeAll(async () => {
  const store = new MemoryEventStore(undefined, key);
  await store.append(STREAM, [event(), event(), event()], 'no_stream');
  all = await store.readStream(STREAM);
});
const tail = () => all.slice(-1);
const expecting = (known: { revision: number; hash: string } | null) => ({ eventKeys: keys, authenticatedFrom: 0, known });

it('the last event alone passes, whether verification last saw an earlier event of the stream or that one', () => {
  expect(streamProblem(STREAM, tail(), expecting(linkOf(all[1]!)), true)).toBeNull();
  expect(streamProblem(STREAM, tail(), expecting(linkOf(all[2]!)), true)).toBeNull();
  expect(streamProblem(STREAM, tail(), expecting(null), true)).toBeNull();
});

it('read as the whole stream, the same last event alone does not (its start is missing)', () => {
  expect(streamProblem(STREAM, tail(), expecting(null))).toMatchObject({ kind: 'stream-broken' });
});

it('a last event altered, forged without the event key, or not the one verification saw, is found', () => {
  const [last] = tail();
  const altered = { ...last!, data: { position: 2 } };
  expect(streamProblem(STREAM, [altered], expecting(linkOf(all[1]!)), true)).toMatchObject({ kind: 'event-altered' });
  const forged = { ...last!, metadata: { ...last!.metadata, mac: 'A'.repeat(43) } }; // the MAC is beside the hash, not under it
  expect(streamProblem(STREAM, [forged], expecting(linkOf(all[1]!)), true)).toMatchObject({ kind: 'event-unauthenticated' });
  expect(streamProblem(STREAM, tail(), expecting({ revision: 2, hash: 'f'.repeat(64) }), true)).toMatchObject({ kind: 'event-altered' });
});

it('a stream whose end is before the last event verification saw (that event deleted) is found', () => {
  expect(streamProblem(STREAM, all.slice(1, 2), expecting(linkOf(all[2]!)), true)).toMatchObject({ kind: 'stream-broken' });
  expect(streamProblem(STREAM, [], expecting(linkOf(all[2]!)), true)).toMatchObject({ kind: 'stream-broken' });
});
