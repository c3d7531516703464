import { jsonDepth } from '../../src/http/request-edges';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['[[[]],[]]', 3],
  ])('counts the nesting of %s as %d', (text, depth) => expect(jsonDepth(text)).toBe(depth));

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[","b":[1]}')).toBe(2);
  });

  it('counts 100,000 levels without recursion', () => expect(jsonDepth('['.repeat(100_000))).toBe(100_000));
});
