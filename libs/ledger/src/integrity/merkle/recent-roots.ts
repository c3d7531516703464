import { MerkleFrontier } from './frontier';

/**
 * The roots of a growing tree at its recent sizes, for checkpoints met a little after the size
 * they sign (another writer's events can land between the head signed and the checkpoint). In
 * flat memory whatever the window: the last `window` leaves' hashes in one ring buffer (32 bytes
 * each) and the right edge every `every` leaves; a root is the nearest edge at or before its size
 * with the leaves after it added again (at most `every` of them).
 */
export class RecentRoots {
  private readonly leaves: Buffer;
  private readonly edges = new Map<number, MerkleFrontier>();

  constructor(
    start: MerkleFrontier,
    private readonly window = 65_536,
    private readonly every = 1_024,
  ) {
    this.leaves = Buffer.alloc(window * 32);
    this.edges.set(start.size, start.copy());
  }

  /** The tree grew by one leaf, whose hash this is, to `tree`. */
  added(tree: MerkleFrontier, leafHash: Buffer): void {
    leafHash.copy(this.leaves, ((tree.size - 1) % this.window) * 32);
    if (tree.size % this.every === 0) this.edges.set(tree.size, tree.copy());
    for (const size of this.edges.keys()) {
      if (tree.size - size <= this.window) break;
      this.edges.delete(size); // in size order: the oldest first
    }
  }

  /** The root of the tree's first `size` leaves, when `size` is within the window of `tree`; otherwise null. */
  rootAt(tree: MerkleFrontier, size: number): Buffer | null {
    if (size === tree.size) return tree.root();
    if (size > tree.size || tree.size - size > this.window) return null;
    let from: MerkleFrontier | undefined;
    for (const [edge, frontier] of this.edges) if (edge <= size) from = frontier;
    if (!from || tree.size - from.size > this.window) return null;
    const replay = from.copy();
    for (let leaf = from.size; leaf < size; leaf++) {
      const at = (leaf % this.window) * 32;
      replay.addHashed(Buffer.from(this.leaves.subarray(at, at + 32)));
    }
    return replay.root();
  }
}
