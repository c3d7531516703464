import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalJson, chain, GENESIS_HASH, hashEvent, sealJson, verifyChain, type NewEvent } from '../src';

/** The definition every stored chain is hashed with, written out independently as the specification. */
function canonicalJsonAsFirstWritten(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJsonAsFirstWritten).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonAsFirstWritten(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('gives byte for byte what the original definition gave, for any value an event can carry', () => {
    const values = fc.anything({
      withObjectString: true,
      withNullPrototype: true,
      withSparseArray: true,
      withUnicodeString: true,
      maxDepth: 4,
    } as Parameters<typeof fc.anything>[0]);
    fc.assert(
      fc.property(values, (value) => expect(canonicalJson(value)).toBe(canonicalJsonAsFirstWritten(value))),
      { numRuns: 2000 },
    );
  });

  it('writes every string exactly as JSON.stringify does: each UTF-16 code unit, escapes, pairs and lone surrogates', () => {
    const mismatches: number[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const text = `a${String.fromCharCode(unit)}b`;
      if (canonicalJson({ text }) !== `{"text":${JSON.stringify(text)}}`) mismatches.push(unit);
    }
    expect(mismatches).toEqual([]);
    for (const text of ['😀', 'x\ud83dy', '\ude00', '"quoted"', 'back\\slash', '\u2028', 'tab\there', ''])
      expect(canonicalJson([text])).toBe(`[${JSON.stringify(text)}]`);
  });

  it('sorts keys at every depth and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: undefined, e: 'é' }], c: null }, z: undefined })).toBe(
      '{"a":{"c":null,"d":[2,{"e":"é"}]},"b":1}',
    );
  });
});

describe('hashEvent', () => {
  it('hashes as every stored chain was hashed: SHA-256 of the previous hash and the canonical JSON of the event without its hash', () => {
    const event = fc.record({
      streamId: fc.string(),
      revision: fc.nat(),
      eventId: fc.string(),
      type: fc.string(),
      data: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 }),
      metadata: fc.record({
        occurredAt: fc.string(),
        actor: fc.string(),
        recordedAt: fc.string(),
        prevHash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      }),
    });
    fc.assert(
      fc.property(event, (e) => {
        const asFirstWritten = createHash('sha256')
          .update(e.metadata.prevHash)
          .update(
            canonicalJsonAsFirstWritten({
              streamId: e.streamId,
              revision: e.revision,
              eventId: e.eventId,
              type: e.type,
              data: e.data,
              metadata: e.metadata,
            }),
          )
          .digest('hex');
        expect(hashEvent(e as Parameters<typeof hashEvent>[0])).toBe(asFirstWritten);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sealJson (how the SQLite store writes an event)', () => {
  const metadata = { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'alice', correlationId: 'c-1', schemaVersion: 1 };
  const recordedAt = '2024-05-01T09:00:01.000Z';

  it('hashes exactly as chain does, and stores text that reads back as the sealed event', () => {
    const data = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 });
    fc.assert(
      fc.property(data, fc.nat(1000), fc.uuid(), (eventData, revision, eventId) => {
        const event: NewEvent = { eventId, type: 'Something', data: eventData, metadata };
        const expected = chain('complaint-1', revision, event, GENESIS_HASH, recordedAt);
        const sealed = sealJson('complaint-1', revision, event, GENESIS_HASH, recordedAt);
        expect(sealed.hash).toBe(expected.metadata.hash);
        expect(JSON.parse(sealed.data)).toEqual(JSON.parse(JSON.stringify(expected.data)));
        expect(JSON.parse(sealed.metadata)).toEqual(expected.metadata);
        // read back as a store reads it, the event verifies
        const first = sealJson('complaint-1', 0, event, GENESIS_HASH, recordedAt);
        const read = { streamId: 'complaint-1', revision: 0, position: 1, eventId, type: 'Something' };
        expect(verifyChain([{ ...read, data: JSON.parse(first.data), metadata: JSON.parse(first.metadata) }]).valid).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('stores a value JSON writes differently (a Date, a function) as JSON.stringify writes it, not in canonical form', () => {
    const event: NewEvent = {
      eventId: 'e-1',
      type: 'Something',
      data: { when: new Date('2024-05-01T09:00:00Z'), callback: () => 1, list: [1, undefined] },
      metadata,
    };
    const sealed = sealJson('complaint-1', 0, event, GENESIS_HASH, recordedAt);
    expect(sealed.data).toBe(JSON.stringify(event.data));
    expect(sealed.hash).toBe(chain('complaint-1', 0, event, GENESIS_HASH, recordedAt).metadata.hash);
    // and the next event, plain again, is stored in canonical form
    const plain = sealJson('complaint-1', 1, { ...event, data: { b: 1, a: 2 } }, sealed.hash, recordedAt);
    expect(plain.data).toBe('{"a":2,"b":1}');
  });
});
