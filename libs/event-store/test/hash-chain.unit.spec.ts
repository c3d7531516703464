import fc from 'fast-check';
import { canonicalJson } from '../src';

/** The definition every stored chain was hashed with (sessions 1–4), kept as the specification. */
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

  it('sorts keys at every depth and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: undefined, e: 'é' }], c: null }, z: undefined })).toBe(
      '{"a":{"c":null,"d":[2,{"e":"é"}]},"b":1}',
    );
  });
});
