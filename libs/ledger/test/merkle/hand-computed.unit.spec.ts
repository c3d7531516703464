import { consistencyProofProblem, inclusionProofProblem, leafHash, MemoryMerkleNodeStore, MerkleTree } from '../../src';
import { MTH, rfcLeafHash, rfcNodeHash } from './support/rfc-definitions';

/**
 * Trees drawn by hand: each tree's shape written out (a leaf is its index, a node a pair), its
 * hashes computed from the shape, its proofs read off it or written as the ranges of leaves they
 * hash ("4-7": the subtree over leaves 4 to 7).
 */
type Shape = number | readonly [Shape, Shape];
// prettier-ignore
const SHAPES: Record<number, Shape> = {
  1: 0,
  2: [0, 1],
  3: [[0, 1], 2],
  4: [[0, 1], [2, 3]],
  5: [[[0, 1], [2, 3]], 4],
  6: [[[0, 1], [2, 3]], [4, 5]],
  7: [[[0, 1], [2, 3]], [[4, 5], 6]],
  8: [[[0, 1], [2, 3]], [[4, 5], [6, 7]]],
  11: [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[8, 9], 10]],
  13: [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[[8, 9], [10, 11]], 12]],
};

const LEAVES = Array.from({ length: 17 }, (_, i) => Buffer.from(`leaf ${i}`));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function treeOf(size: number): MerkleTree {
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  for (const leaf of LEAVES.slice(0, size)) tree.add(leaf);
  return tree;
}

function hashOf(shape: Shape): Buffer {
  return typeof shape === 'number' ? rfcLeafHash(LEAVES[shape]!) : rfcNodeHash(hashOf(shape[0]), hashOf(shape[1]));
}
const leavesOf = (shape: Shape): number[] => (typeof shape === 'number' ? [shape] : [...leavesOf(shape[0]), ...leavesOf(shape[1])]);

/** The leaf's siblings from the leaf up, read off the drawing. */
function siblings(shape: Shape, leaf: number): Buffer[] {
  if (typeof shape === 'number') return [];
  const [left, right] = shape;
  return leavesOf(left).includes(leaf) ? [...siblings(left, leaf), hashOf(right)] : [...siblings(right, leaf), hashOf(left)];
}

/** "4-7" → MTH of leaves 4 to 7; "4" → leaf 4's hash. */
const range = (name: string): string => {
  const [first, last = first] = name.split('-').map(Number) as [number, number?];
  return hex(MTH(LEAVES.slice(first, last + 1)));
};

describe.each(Object.entries(SHAPES).map(([size, shape]) => ({ size: Number(size), shape })))(
  'the tree of $size leaves',
  ({ size, shape }) => {
    const tree = treeOf(size);

    it('has the root of its drawing', () => {
      expect(hex(tree.root())).toBe(hex(hashOf(shape)));
    });

    it("proves every leaf by its siblings in the drawing, and the proof verifies under the drawing's root", () => {
      for (let leaf = 0; leaf < size; leaf++) {
        const proof = tree.inclusionProof(leaf);
        expect({ leaf, path: proof.path.map(hex) }).toEqual({ leaf, path: siblings(shape, leaf).map(hex) });
        expect(inclusionProofProblem(leafHash(LEAVES[leaf]!), proof, hashOf(shape))).toBeNull();
      }
    });
  },
);

describe('inclusion proofs worked by hand', () => {
  it.each([
    [0, 1, []],
    [2, 3, ['0-1']],
    [4, 5, ['0-3']],
    [4, 7, ['5', '6', '0-3']],
    [6, 7, ['4-5', '0-3']],
    [5, 8, ['4', '6-7', '0-3']],
    [9, 13, ['8', '10-11', '12', '0-7']],
    [12, 13, ['8-11', '0-7']],
    [16, 17, ['0-15']],
  ])('leaf %i of a tree of %i: %j', (leaf, size, expected) => {
    const tree = treeOf(17);
    expect(tree.inclusionProof(leaf, size).path.map(hex)).toEqual(expected.map(range));
  });
});

describe('consistency proofs worked by hand', () => {
  it.each([
    [1, 2, ['1']],
    [2, 3, ['2']],
    [3, 4, ['2', '3', '0-1']],
    [2, 4, ['2-3']],
    [4, 5, ['4']],
    [5, 7, ['4', '5', '6', '0-3']],
    [6, 7, ['4-5', '6', '0-3']],
    [1, 8, ['1', '2-3', '4-7']],
    [3, 8, ['2', '3', '0-1', '4-7']],
    [4, 8, ['4-7']],
    [5, 8, ['4', '5', '6-7', '0-3']],
    [6, 8, ['4-5', '6-7', '0-3']],
    [7, 8, ['6', '7', '4-5', '0-3']],
    [13, 16, ['12', '13', '14-15', '8-11', '0-7']],
    [16, 17, ['16']],
  ])('from %i leaves to %i: %j, and it verifies', (from, to, expected) => {
    const tree = treeOf(17);
    const proof = tree.consistencyProof(from, to);
    expect(proof.path.map(hex)).toEqual(expected.map(range));
    expect(consistencyProofProblem(proof, MTH(LEAVES.slice(0, from)), MTH(LEAVES.slice(0, to)))).toBeNull();
  });
});
