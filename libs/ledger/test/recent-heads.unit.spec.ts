import { createHash } from 'node:crypto';
import { RecentHeads } from '../src/integrity/recent-heads';

const hashOf = (n: number) => createHash('sha256').update(String(n)).digest('hex');
/** Positions with gaps (as a log's are: other streams, rolled-back rowids), n events in. */
const headAt = (n: number) => ({ position: n * 3 + 7, events: n + 1, head: hashOf(n) });

describe('the recent heads a checkpoint is compared with', () => {
  it('given more heads than the window, answers each of the last `window` exactly, and none before', () => {
    const heads = new RecentHeads(100);
    for (let n = 0; n < 250; n++) heads.add(headAt(n));

    for (let n = 150; n < 250; n++) expect(heads.at(headAt(n).position)).toEqual(headAt(n));
    expect(heads.at(headAt(149).position)).toBeUndefined();
    expect(heads.at(headAt(0).position)).toBeUndefined();
    expect(heads.at(headAt(200).position + 1)).toBeUndefined(); // a position no event had
  });

  it('given fewer heads than the window, answers every one, the start of the chain included', () => {
    const heads = new RecentHeads(100);
    heads.add({ position: -1, events: 0, head: '0'.repeat(64) });
    for (let n = 0; n < 10; n++) heads.add(headAt(n));

    expect(heads.at(-1)).toEqual({ position: -1, events: 0, head: '0'.repeat(64) });
    for (let n = 0; n < 10; n++) expect(heads.at(headAt(n).position)).toEqual(headAt(n));
  });

  it('refuses a head out of position order, and a head that is not a SHA-256 in hex', () => {
    const heads = new RecentHeads(10);
    heads.add(headAt(5));
    expect(() => heads.add(headAt(4))).toThrow(/position order/);
    expect(() => heads.add({ ...headAt(6), head: 'not a hash' })).toThrow(/SHA-256/);
  });
});
