import { EMPTY_TREE_HASH, leafHash, nodeHash } from './hashes';
import type { CompleteSubtree } from './proofs';

/** A complete subtree: 2^level leaves from leaf index·2^level, and its hash. */
export interface MerkleNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/**
 * The right edge of a tree that only grows: the complete subtrees its leaves fall into, one per
 * bit set in its size, largest first (a tree of 13 leaves: 8, 4 and 1). That is all a root needs,
 * so it is all that is kept: O(log n) hashes, whatever the size. Adding a leaf completes the
 * subtrees it finishes, like a carry in binary counting (one node on average).
 */
export class MerkleFrontier {
  private constructor(
    private leaves: number,
    private readonly subtrees: MerkleNode[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** The frontier of a tree of `size` leaves, from its complete subtrees (popcount(size) of them). */
  static of(size: number, complete: CompleteSubtree): MerkleFrontier {
    const subtrees: MerkleNode[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      const width = 2 ** level;
      if (size - start < width) continue;
      subtrees.push({ level, index: start / width, hash: complete(level, start / width) });
      start += width;
    }
    return new MerkleFrontier(size, subtrees);
  }

  get size(): number {
    return this.leaves;
  }

  /** The complete subtrees' hashes, largest first: with the size, all there is to it (what `of` takes back). */
  get hashes(): Buffer[] {
    return this.subtrees.map((subtree) => subtree.hash);
  }

  /** Adds the next leaf (its bytes, hashed here); the nodes it completed, its own first, each level up after. */
  add(leaf: Uint8Array): MerkleNode[] {
    return this.addHashed(leafHash(leaf));
  }

  /** Adds the next leaf by its hash (SHA-256(0x00 ‖ leaf)), as `add` does once it has hashed it. */
  addHashed(hash: Buffer): MerkleNode[] {
    const made: MerkleNode[] = [{ level: 0, index: this.leaves, hash }];
    this.subtrees.push(made[0]!);
    for (let last = this.subtrees.length - 1; last > 0 && this.subtrees[last - 1]!.level === this.subtrees[last]!.level; last--) {
      const right = this.subtrees.pop()!;
      const left = this.subtrees.pop()!;
      const parent = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
      this.subtrees.push(parent);
      made.push(parent);
    }
    this.leaves += 1;
    return made;
  }

  /** MTH of the leaves so far: the subtrees hashed together from the right (the RFC's split, unrolled). */
  root(): Buffer {
    let root = this.subtrees.at(-1)?.hash ?? EMPTY_TREE_HASH;
    for (let i = this.subtrees.length - 2; i >= 0; i--) root = nodeHash(this.subtrees[i]!.hash, root);
    return root;
  }

  copy(): MerkleFrontier {
    return new MerkleFrontier(this.leaves, [...this.subtrees]);
  }
}
