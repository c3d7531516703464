import { MerkleFrontier, type MerkleNode } from './frontier';
import type { MerkleNodeStore } from './node-store';
import { consistencyPath, inclusionPath, treeHash, type CompleteSubtree } from './proofs';
import type { ConsistencyProof, InclusionProof } from './verify-proofs';

/**
 * A Merkle tree over a log that only grows (RFC 9162 §2.1), its nodes in a store: leaves are
 * added one at a time, each costing one leaf hash and, on average, one node hash and two stored
 * nodes; the root of any size so far, and the proofs between any sizes so far, read O(log n)
 * stored nodes. Only the frontier (O(log n) hashes) is held in memory. One writer per store.
 */
export class MerkleTree {
  private frontier: MerkleFrontier;
  private readonly complete: CompleteSubtree;

  constructor(private readonly store: MerkleNodeStore) {
    this.complete = (level, index) => store.node(level, index);
    this.frontier = MerkleFrontier.of(store.size(), this.complete);
  }

  get size(): number {
    return this.frontier.size;
  }

  /** Adds the next leaf (the log's next entry, as bytes); its index. */
  add(leaf: Uint8Array): number {
    this.addAll([leaf]);
    return this.size - 1;
  }

  /** Adds leaves in order, stored together (a page of the log at a time costs one write). */
  addAll(leaves: Iterable<Uint8Array>): void {
    const grown = this.frontier.copy();
    const made: MerkleNode[] = [];
    for (const leaf of leaves) made.push(...grown.add(leaf));
    if (grown.size === this.size) return;
    this.store.grow(this.size, grown.size, made);
    this.frontier = grown; // only once stored: a refused write leaves the tree as it was
  }

  /** MTH of the first `size` leaves (the whole tree by default). */
  root(size = this.size): Buffer {
    this.within(size);
    return size === this.size ? this.frontier.root() : treeHash(0, size, this.complete);
  }

  /** That leaf `leafIndex` is in the tree of the first `treeSize` leaves. */
  inclusionProof(leafIndex: number, treeSize = this.size): InclusionProof {
    this.within(treeSize);
    return { leafIndex, treeSize, path: inclusionPath(leafIndex, treeSize, this.complete) };
  }

  /** That the tree of the first `fromSize` leaves is where the tree of the first `toSize` began. */
  consistencyProof(fromSize: number, toSize = this.size): ConsistencyProof {
    this.within(toSize);
    return { fromSize, toSize, path: consistencyPath(fromSize, toSize, this.complete) };
  }

  private within(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`the tree has ${this.size} leaves: it has no size ${size}`);
  }
}
