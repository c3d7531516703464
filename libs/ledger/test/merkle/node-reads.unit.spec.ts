import fc from 'fast-check';
import {
  consistencyProofProblem,
  inclusionProofProblem,
  leafHash,
  MemoryMerkleNodeStore,
  MerkleTree,
  nodeHash,
  type MerkleNode,
  type MerkleNodeStore,
} from '../../src';

/** A store that counts what is asked of it. */
class Counting implements MerkleNodeStore {
  reads = 0;
  written: MerkleNode[] = [];
  constructor(private readonly inner: MerkleNodeStore) {}
  size = () => this.inner.size();
  node(level: number, index: number): Buffer {
    this.reads += 1;
    return this.inner.node(level, index);
  }
  grow(fromSize: number, toSize: number, nodes: readonly MerkleNode[]): void {
    this.written.push(...nodes);
    this.inner.grow(fromSize, toSize, nodes);
  }
}

/**
 * The stored nodes of a tree of a million identical leaves, without building it: with every leaf
 * the same, every complete subtree of a level has the same hash. It refuses a node that is not a
 * complete subtree of the tree, so the tree never asks for one it cannot have stored.
 */
class MillionSameLeaves implements MerkleNodeStore {
  static readonly LEAF = Buffer.from('the same event');
  private readonly levels = [leafHash(MillionSameLeaves.LEAF)];
  size = () => 1_000_000;
  node(level: number, index: number): Buffer {
    if (!Number.isInteger(index) || index < 0 || (index + 1) * 2 ** level > this.size())
      throw new RangeError(`no node (${level}, ${index})`);
    while (this.levels.length <= level) this.levels.push(nodeHash(this.levels.at(-1)!, this.levels.at(-1)!));
    return this.levels[level]!;
  }
  grow(): void {
    throw new Error('read only');
  }
}

const log2 = (n: number) => Math.ceil(Math.log2(n));

describe('a tree of 1,000,000 leaves', () => {
  const store = new Counting(new MillionSameLeaves());
  const tree = new MerkleTree(store);
  const opened = store.reads;
  const reads = (work: () => unknown): number => {
    const before = store.reads;
    work();
    return store.reads - before;
  };

  it('opens by reading its frontier only: one node per bit set in its size', () => {
    expect(opened).toBe(7); // 1,000,000 = 0b11110100001001000000
    expect(reads(() => tree.root())).toBe(0);
  });

  it('gives any root, inclusion proof and consistency proof reading at most 2·log2(n) nodes, and the proofs verify', () => {
    const n = tree.size;
    const hash = leafHash(MillionSameLeaves.LEAF);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: n }), fc.nat(), (size, at) => {
        const leaf = at % size;
        let root = tree.root(size);
        expect(reads(() => (root = tree.root(size)))).toBeLessThanOrEqual(log2(n));
        let inclusion = tree.inclusionProof(leaf, size);
        expect(reads(() => (inclusion = tree.inclusionProof(leaf, size)))).toBeLessThanOrEqual(2 * log2(n));
        expect(inclusionProofProblem(hash, inclusion, root)).toBeNull();
        let consistency = tree.consistencyProof(leaf, size);
        expect(reads(() => (consistency = tree.consistencyProof(leaf, size)))).toBeLessThanOrEqual(2 * log2(n));
        expect(consistencyProofProblem(consistency, tree.root(leaf), root)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('at the extremes too: the first and last leaves, sizes just past and just short of a power of two', () => {
    for (const [leaf, size] of [
      [0, 1_000_000],
      [999_999, 1_000_000],
      [524_287, 524_289],
      [524_288, 524_289],
      [0, 524_287],
    ] as const) {
      expect(reads(() => tree.inclusionProof(leaf, size))).toBeLessThanOrEqual(2 * log2(size));
      expect(reads(() => tree.consistencyProof(leaf + 1, size))).toBeLessThanOrEqual(2 * log2(size));
    }
  });
});

describe('growing a tree', () => {
  it('reads nothing back and writes 2n − popcount(n) nodes for n leaves: each leaf, and each subtree it completes', () => {
    const store = new Counting(new MemoryMerkleNodeStore());
    const tree = new MerkleTree(store);
    for (let i = 0; i < 1000; i++) tree.add(Buffer.from(`event ${i}`));
    expect(store.reads).toBe(0);
    expect(store.written).toHaveLength(2 * 1000 - 6); // 1000 = 0b1111101000
    expect(store.written.filter((node) => node.level === 0).map((node) => node.index)).toEqual([...Array(1000).keys()]);
  });

  it('of 3,000 leaves in memory gives both proofs of any leaf at any size reading O(log n) nodes', () => {
    const store = new Counting(new MemoryMerkleNodeStore());
    const tree = new MerkleTree(store);
    tree.addAll(Array.from({ length: 3000 }, (_, i) => Buffer.from(`event ${i}`)));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), (size, at) => {
        const before = store.reads;
        tree.inclusionProof(at % size, size);
        tree.consistencyProof(at % size, size);
        expect(store.reads - before).toBeLessThanOrEqual(4 * log2(3000));
      }),
    );
  });
});
