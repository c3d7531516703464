import { leafHash, MerkleFrontier } from '../../src';
import { RecentRoots } from '../../src/integrity/merkle/recent-roots';
import { MTH } from './support/rfc-definitions';

/**
 * The verifier compares a checkpoint's signed root with the tree at the size it signed, met a few
 * events later: the roots of recent sizes, kept in flat memory (a ring of leaf hashes and an edge
 * every few leaves), against the RFC's definition computed over the leaves themselves.
 */
const LEAVES = Array.from({ length: 60 }, (_, i) => Buffer.from(`leaf ${i}`));

it('gives the root of every recent size, right, and none beyond its window', () => {
  const [window, every] = [16, 4];
  const tree = MerkleFrontier.empty();
  const recent = new RecentRoots(tree, window, every);
  for (const leaf of LEAVES) {
    recent.added(tree, tree.add(leaf)[0]!.hash);
    for (let size = 0; size <= tree.size; size++) {
      const root = recent.rootAt(tree, size);
      if (root) expect(root.toString('hex')).toBe(MTH(LEAVES.slice(0, size)).toString('hex')); // any root given is right
      if (tree.size - size <= window - every) expect(root).not.toBeNull(); // the recent ones are all there
      if (tree.size - size > window) expect(root).toBeNull(); // beyond the window, none (the caller says so)
    }
  }
});

it('carries on from a tree it did not see grow (a verified mark), at its size and after', () => {
  const tree = MerkleFrontier.empty();
  for (const leaf of LEAVES.slice(0, 37)) tree.add(leaf);
  const recent = new RecentRoots(tree, 16, 4);
  expect(recent.rootAt(tree, 37)!.toString('hex')).toBe(MTH(LEAVES.slice(0, 37)).toString('hex'));
  for (const leaf of LEAVES.slice(37, 45)) recent.added(tree, tree.add(leaf)[0]!.hash);
  for (let size = 37; size <= 45; size++)
    expect(recent.rootAt(tree, size)!.toString('hex')).toBe(MTH(LEAVES.slice(0, size)).toString('hex'));
  expect(recent.rootAt(tree, 36)).toBeNull(); // before the tree it was given
  expect(leafHash(LEAVES[0]!)).toEqual(MerkleFrontier.empty().add(LEAVES[0]!)[0]!.hash);
});
