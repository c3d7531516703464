import fc from 'fast-check';
import { consistencyProofProblem, inclusionProofProblem, leafHash, MemoryMerkleNodeStore, MerkleTree } from '../../src';
import { MTH, PATH, PROOF } from './support/rfc-definitions';

const MAX = 70;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const LEAVES = Array.from({ length: MAX }, (_, i) => Buffer.from(`event ${i}`));
const ROOTS = Array.from({ length: MAX + 1 }, (_, size) => MTH(LEAVES.slice(0, size)));

function treeOf(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  for (const leaf of leaves) tree.add(leaf);
  return tree;
}
const tree = treeOf(LEAVES);

/** A copy of `bytes` with bit `bit` of byte `at` flipped. */
function flipped(bytes: Uint8Array, at: number, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at % copy.length]! ^= 1 << bit;
  return copy;
}

describe(`every tree of up to ${MAX} leaves`, () => {
  it('has, as it grows and at every earlier size, the root of RFC 9162 §2.1.1', () => {
    const growing = new MerkleTree(new MemoryMerkleNodeStore());
    for (let size = 0; size <= MAX; size++) {
      expect({ size, root: hex(growing.root()) }).toEqual({ size, root: hex(ROOTS[size]!) });
      for (let earlier = 0; earlier <= size; earlier++) expect(growing.root(earlier).equals(ROOTS[earlier]!)).toBe(true);
      if (size < MAX) growing.add(LEAVES[size]!);
    }
  });

  it("proves every leaf at every size by the RFC's PATH, and every such proof verifies", () => {
    for (let size = 1; size <= MAX; size++) {
      for (let leaf = 0; leaf < size; leaf++) {
        const proof = tree.inclusionProof(leaf, size);
        expect(proof.path.map(hex)).toEqual(PATH(leaf, LEAVES.slice(0, size)).map(hex));
        expect({ leaf, size, problem: inclusionProofProblem(leafHash(LEAVES[leaf]!), proof, ROOTS[size]!) }).toEqual({
          leaf,
          size,
          problem: null,
        });
      }
    }
  });

  it("proves every earlier size consistent with every later one by the RFC's PROOF, and every such proof verifies", () => {
    for (let to = 0; to <= MAX; to++) {
      for (let from = 0; from <= to; from++) {
        const proof = tree.consistencyProof(from, to);
        if (from > 0 && from < to) expect(proof.path.map(hex)).toEqual(PROOF(from, LEAVES.slice(0, to)).map(hex));
        else expect(proof.path).toEqual([]);
        expect({ from, to, problem: consistencyProofProblem(proof, ROOTS[from]!, ROOTS[to]!) }).toEqual({ from, to, problem: null });
      }
    }
  });
});

describe('for any leaves', () => {
  const leaves = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: MAX });

  it('the tree, its proofs and their verification agree with the RFC whatever the leaves hold', () => {
    fc.assert(
      fc.property(leaves, fc.nat(), fc.nat(), (data, a, b) => {
        const grown = treeOf(data);
        const size = 1 + (a % data.length);
        const leaf = b % size;
        const root = MTH(data.slice(0, size));
        expect(grown.root(size).equals(root)).toBe(true);
        const inclusion = grown.inclusionProof(leaf, size);
        expect(inclusion.path.map(hex)).toEqual(PATH(leaf, data.slice(0, size)).map(hex));
        expect(inclusionProofProblem(leafHash(data[leaf]!), inclusion, root)).toBeNull();
        const consistency = grown.consistencyProof(leaf, size);
        expect(consistencyProofProblem(consistency, MTH(data.slice(0, leaf)), root)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe('any byte changed fails verification', () => {
  const inclusionCase = fc
    .integer({ min: 1, max: MAX })
    .chain((size) => fc.record({ size: fc.constant(size), leaf: fc.integer({ min: 0, max: size - 1 }) }));
  const consistencyCase = fc
    .integer({ min: 2, max: MAX })
    .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 1, max: to - 1 }) }));
  const change = fc.record({ which: fc.nat(), at: fc.nat({ max: 31 }), bit: fc.nat({ max: 7 }) });

  it('in an inclusion proof: any hash of its path, the leaf hash or the root', () => {
    fc.assert(
      fc.property(inclusionCase, change, ({ size, leaf }, { which, at, bit }) => {
        const proof = tree.inclusionProof(leaf, size);
        const path = [...proof.path];
        let [hash, root] = [leafHash(LEAVES[leaf]!), ROOTS[size]!];
        const target = which % (path.length + 2);
        if (target < path.length) path[target] = flipped(path[target]!, at, bit);
        else if (target === path.length) hash = flipped(hash, at, bit);
        else root = flipped(root, at, bit);
        expect(inclusionProofProblem(hash, { ...proof, path }, root)).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('in a consistency proof: any hash of its path, or either root', () => {
    fc.assert(
      fc.property(consistencyCase, change, ({ from, to }, { which, at, bit }) => {
        const proof = tree.consistencyProof(from, to);
        const path = [...proof.path];
        let [first, second] = [ROOTS[from]!, ROOTS[to]!];
        const target = which % (path.length + 2);
        if (target < path.length) path[target] = flipped(path[target]!, at, bit);
        else if (target === path.length) first = flipped(first, at, bit);
        else second = flipped(second, at, bit);
        expect(consistencyProofProblem({ ...proof, path }, first, second)).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('and a proof of one leaf, index or size does not serve for another', () => {
    fc.assert(
      fc.property(
        inclusionCase,
        fc.integer({ min: 0, max: MAX - 1 }),
        fc.integer({ min: 1, max: MAX }),
        ({ size, leaf }, otherLeaf, otherSize) => {
          const proof = tree.inclusionProof(leaf, size);
          const root = ROOTS[size]!;
          if (otherLeaf !== leaf) {
            expect(inclusionProofProblem(leafHash(LEAVES[otherLeaf]!), proof, root)).not.toBeNull();
            expect(inclusionProofProblem(leafHash(LEAVES[leaf]!), { ...proof, leafIndex: otherLeaf }, root)).not.toBeNull();
          }
          if (otherSize !== size) expect(inclusionProofProblem(leafHash(LEAVES[leaf]!), proof, ROOTS[otherSize]!)).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
