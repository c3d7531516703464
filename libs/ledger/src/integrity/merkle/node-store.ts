import type { MerkleNode } from './frontier';

/**
 * Where a growing tree keeps its complete subtrees' hashes (level 0: the leaves' hashes), so a
 * root of any earlier size and any proof read O(log n) of them and no leaf is held in memory.
 * Synchronous: both adapters answer at once, and the RFC's recursive definitions read plainly so.
 */
export interface MerkleNodeStore {
  /** How many leaves the stored tree holds (0 for a new store). */
  size(): number;
  /** The hash of the complete subtree (level, index); it must have been stored. */
  node(level: number, index: number): Buffer;
  /**
   * Stores the nodes completed by growing the tree from `fromSize` leaves to `toSize`, in the
   * order they were made, and the new size, all or nothing. Refused when the store does not hold
   * `fromSize` leaves (another writer grew it meanwhile).
   */
  grow(fromSize: number, toSize: number, nodes: readonly MerkleNode[]): void;
}

/** A tree's nodes in memory (tests, small trees): about 2n hashes for n leaves. */
export class MemoryMerkleNodeStore implements MerkleNodeStore {
  private readonly levels: Buffer[][] = [];
  private leaves = 0;

  size(): number {
    return this.leaves;
  }

  node(level: number, index: number): Buffer {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no node (${level}, ${index}) in a tree of ${this.leaves} leaves`);
    return hash;
  }

  grow(fromSize: number, toSize: number, nodes: readonly MerkleNode[]): void {
    if (fromSize !== this.leaves) throw new Error(`the tree holds ${this.leaves} leaves, not ${fromSize}: another writer grew it`);
    const lengths = this.levels.map((row) => row.length);
    for (const { level, index } of nodes) {
      const stored = lengths[level] ?? 0;
      if (index !== stored) throw new Error(`node (${level}, ${index}) does not follow the ${stored} nodes of its level`);
      lengths[level] = stored + 1;
    }
    for (const { level, index, hash } of nodes) (this.levels[level] ??= [])[index] = hash;
    this.leaves = toSize;
  }
}
