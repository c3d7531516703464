import {
  consistencyProofProblem,
  EMPTY_TREE_HASH,
  inclusionProofProblem,
  leafHash,
  MemoryMerkleNodeStore,
  MerkleTree,
  type ConsistencyProof,
  type InclusionProof,
} from '../../src';

/**
 * Verification refuses what is not a proof: the edge cases and the damaged proofs the reference
 * implementations probe their verifiers with (transparency-dev/merkle, proof/verify_test.go),
 * applied to every proof of every tree up to 20 leaves, each refusal named.
 */
const LEAVES = Array.from({ length: 20 }, (_, i) => Buffer.from(`event ${i}`));
const tree = new MerkleTree(new MemoryMerkleNodeStore());
tree.addAll(LEAVES);
const ROOTS = Array.from({ length: LEAVES.length + 1 }, (_, size) => tree.root(size));
const OTHER = Buffer.alloc(32, 0xab);

/** Ways to damage an inclusion proof, each named. */
function damagedInclusion(proof: InclusionProof, leaf: Buffer, root: Buffer): [string, Buffer, InclusionProof, Buffer][] {
  const { leafIndex, treeSize, path } = proof;
  const damaged: [string, Buffer, InclusionProof, Buffer][] = [
    ['leaf index - 1', leaf, { ...proof, leafIndex: leafIndex - 1 }, root],
    ['leaf index + 1', leaf, { ...proof, leafIndex: leafIndex + 1 }, root],
    ['leaf index ^ 2', leaf, { ...proof, leafIndex: leafIndex ^ 2 }, root],
    ['tree size * 2', leaf, { ...proof, treeSize: treeSize * 2 }, root],
    ['tree size / 2', leaf, { ...proof, treeSize: Math.floor(treeSize / 2) }, root],
    ['another leaf', OTHER, proof, root],
    ['a leaf hash of 9 bytes', Buffer.from('WrongLeaf'), proof, root],
    ["the empty tree's root", leaf, proof, EMPTY_TREE_HASH],
    ['another root', leaf, proof, OTHER],
    ['an empty hash after the path', leaf, { ...proof, path: [...path, Buffer.alloc(0)] }, root],
    ['the root after the path', leaf, { ...proof, path: [...path, root] }, root],
    ['an empty hash before the path', leaf, { ...proof, path: [Buffer.alloc(0), ...path] }, root],
    ['the root before the path', leaf, { ...proof, path: [root, ...path] }, root],
  ];
  if (path.length) damaged.push(['the last hash removed', leaf, { ...proof, path: path.slice(0, -1) }, root]);
  if (path.length > 1) damaged.push(['a hash inserted', leaf, { ...proof, path: [path[0]!, OTHER, ...path.slice(1)] }, root]);
  path.forEach((_, i) => {
    const changed = [...path];
    changed[i] = Buffer.from(path[i]!).map((byte, at) => (at === 0 ? byte ^ 8 : byte));
    damaged.push([`hash ${i} changed`, leaf, { ...proof, path: changed }, root]);
  });
  return damaged;
}

/** Ways to damage a consistency proof, each named. */
function damagedConsistency(proof: ConsistencyProof, first: Buffer, second: Buffer): [string, ConsistencyProof, Buffer, Buffer][] {
  const { fromSize, toSize, path } = proof;
  const damaged: [string, ConsistencyProof, Buffer, Buffer][] = [
    ['first size - 1', { ...proof, fromSize: fromSize - 1 }, first, second],
    ['first size + 1', { ...proof, fromSize: fromSize + 1 }, first, second],
    ['first size ^ 2', { ...proof, fromSize: fromSize ^ 2 }, first, second],
    ['second size * 2', { ...proof, toSize: toSize * 2 }, first, second],
    ['second size / 2', { ...proof, toSize: Math.floor(toSize / 2) }, first, second],
    ['a first root of 9 bytes', proof, Buffer.from('WrongRoot'), second],
    ['a second root of 9 bytes', proof, first, Buffer.from('WrongRoot')],
    ['another first root', proof, OTHER, second],
    ['another second root', proof, first, OTHER],
    ['the roots swapped', proof, second, first],
    ['an empty path', { ...proof, path: [] }, first, second],
    ['an empty hash after the path', { ...proof, path: [...path, Buffer.alloc(0)] }, first, second],
    ['the first root after the path', { ...proof, path: [...path, first] }, first, second],
    ['the second root after the path', { ...proof, path: [...path, second] }, first, second],
    ['an empty hash before the path', { ...proof, path: [Buffer.alloc(0), ...path] }, first, second],
    ['the first root before the path', { ...proof, path: [first, ...path] }, first, second],
    ['the second root before the path', { ...proof, path: [second, ...path] }, first, second],
    ['the first hash twice', { ...proof, path: [path[0]!, ...path] }, first, second],
    ['the last hash removed', { ...proof, path: path.slice(0, -1) }, first, second],
  ];
  path.forEach((_, i) => {
    const changed = [...path];
    changed[i] = Buffer.from(path[i]!).map((byte, at) => (at === 0 ? byte ^ 16 : byte));
    damaged.push([`hash ${i} changed`, { ...proof, path: changed }, first, second]);
  });
  return damaged;
}

describe('an inclusion proof', () => {
  it('damaged in any of the probed ways, for any leaf of any tree up to 20 leaves, does not verify', () => {
    const verified: string[] = [];
    for (let size = 1; size <= LEAVES.length; size++) {
      for (let leaf = 0; leaf < size; leaf++) {
        const hash = leafHash(LEAVES[leaf]!);
        const proof = tree.inclusionProof(leaf, size);
        expect(inclusionProofProblem(hash, proof, ROOTS[size]!)).toBeNull();
        for (const [how, damagedLeaf, damagedProof, damagedRoot] of damagedInclusion(proof, hash, ROOTS[size]!))
          if (inclusionProofProblem(damagedLeaf, damagedProof, damagedRoot) === null) verified.push(`leaf ${leaf} of ${size}: ${how}`);
      }
    }
    expect(verified).toEqual([]);
  });

  it.each([
    ['a leaf outside the tree', 5, 5, /leaf 5 is not in a tree of 5 leaves/],
    ['a leaf of the empty tree', 0, 0, /leaf 0 is not in a tree of 0 leaves/],
    ['a negative index', -1, 5, /the leaf index is not a whole number of leaves: -1/],
    ['a fractional size', 0, 2.5, /the tree size is not a whole number of leaves: 2.5/],
    ['a size beyond exact integers', 0, 2 ** 60, /the tree size is not a whole number/],
  ])('with %s is refused, saying so', (_, leafIndex, treeSize, message) => {
    expect(inclusionProofProblem(leafHash(LEAVES[0]!), { leafIndex, treeSize, path: [] }, ROOTS[1]!)).toMatch(message);
  });

  it('names a path too long, too short, a hash of the wrong length, and a path that leads elsewhere', () => {
    const proof = tree.inclusionProof(3, 8);
    const [leaf, root] = [leafHash(LEAVES[3]!), ROOTS[8]!];
    expect(inclusionProofProblem(leaf, { ...proof, path: [...proof.path, root] }, root)).toMatch(/more hashes than leaf 3 of a tree of 8/);
    expect(inclusionProofProblem(leaf, { ...proof, path: proof.path.slice(1) }, root)).toMatch(/fewer hashes than leaf 3 of a tree of 8/);
    expect(inclusionProofProblem(leaf, { ...proof, path: [proof.path[0]!.subarray(1)] }, root)).toMatch(/hash 0 is 31 bytes, not 32/);
    expect(inclusionProofProblem(leaf.subarray(0, 20), proof, root)).toMatch(/the leaf hash is 20 bytes/);
    expect(inclusionProofProblem(OTHER, proof, root)).toMatch(/the path from leaf 3 does not lead to the root of the tree of 8 leaves/);
  });
});

describe('a consistency proof', () => {
  it('damaged in any of the probed ways, between any two sizes of trees up to 20 leaves, does not verify', () => {
    const verified: string[] = [];
    for (let to = 2; to <= LEAVES.length; to++) {
      for (let from = 1; from < to; from++) {
        const proof = tree.consistencyProof(from, to);
        expect(consistencyProofProblem(proof, ROOTS[from]!, ROOTS[to]!)).toBeNull();
        for (const [how, damagedProof, first, second] of damagedConsistency(proof, ROOTS[from]!, ROOTS[to]!))
          if (consistencyProofProblem(damagedProof, first, second) === null) verified.push(`${from} to ${to}: ${how}`);
      }
    }
    expect(verified).toEqual([]);
  });

  const [empty, one, two] = [EMPTY_TREE_HASH, ROOTS[1]!, ROOTS[2]!];
  it.each([
    ['the empty tree to itself', 0, 0, empty, empty, [], null],
    ['the empty tree to any tree, with an empty path', 0, 5, empty, ROOTS[5]!, [], null],
    ['a tree to itself', 1, 1, one, one, [], null],
    ['the empty tree with another root', 0, 5, OTHER, ROOTS[5]!, [], /the first root is not the empty tree's/],
    ['the empty tree with a path', 0, 1, empty, one, [empty], /the path must be empty between trees of 0 and 1/],
    ['a tree to itself with a path', 1, 1, one, one, [empty], /the path must be empty between trees of 1 and 1/],
    ['a tree to itself with another root', 1, 1, one, two, [], /two trees of 1 leaves with different roots/],
    ['a tree to a smaller one', 2, 1, two, one, [], /a tree of 2 leaves cannot be the start of one of 1/],
    ['a tree to a larger one with an empty path', 1, 2, one, two, [], /the path is empty between trees of 1 and 2/],
    ['a negative size', -1, 2, one, two, [], /the first tree size is not a whole number of leaves: -1/],
  ])('from %s', (_, fromSize, toSize, first, second, path, expected) => {
    const problem = consistencyProofProblem({ fromSize, toSize, path }, first, second);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('names a path too long, too short, and which root it does not lead to', () => {
    const proof = tree.consistencyProof(3, 8);
    const [first, second] = [ROOTS[3]!, ROOTS[8]!];
    expect(consistencyProofProblem({ ...proof, path: [...proof.path, second] }, first, second)).toMatch(
      /more hashes than trees of 3 and 8/,
    );
    expect(consistencyProofProblem({ ...proof, path: proof.path.slice(0, -1) }, first, second)).toMatch(
      /fewer hashes than trees of 3 and 8/,
    );
    expect(consistencyProofProblem(proof, OTHER, second)).toMatch(/does not lead to the first root \(3 leaves\)/);
    expect(consistencyProofProblem(proof, first, OTHER)).toMatch(/does not lead to the second root \(8 leaves\)/);
  });
});
