import { EMPTY_TREE_HASH, nodeHash } from './hashes';
import { isPowerOfTwo } from './verify-proofs';

/**
 * The hash of a complete subtree: the 2^level leaves from leaf index·2^level (level 0: a leaf's
 * hash). Wherever it comes from (a node store, leaves in memory), the RFC's definitions below
 * need nothing else.
 */
export type CompleteSubtree = (level: number, index: number) => Buffer;

/**
 * MTH(D[start:start+size]) of RFC 9162 §2.1.1: the tree of n leaves split at k, the largest power
 * of two smaller than n. A range of a power of two leaves starting at a multiple of its size is a
 * complete subtree, asked of `complete` rather than computed: every range the proofs below ask
 * for is one of those or splits into at most one per level, so the tree of a log that only grows
 * answers from O(log n) stored nodes.
 */
export function treeHash(start: number, size: number, complete: CompleteSubtree): Buffer {
  if (size === 0) return EMPTY_TREE_HASH;
  if (isPowerOfTwo(size) && start % size === 0) return complete(Math.round(Math.log2(size)), start / size);
  const k = split(size);
  return nodeHash(treeHash(start, k, complete), treeHash(start + k, size - k, complete));
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the siblings of leaf m from the leaf up. */
export function inclusionPath(leafIndex: number, treeSize: number, complete: CompleteSubtree): Buffer[] {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize)
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
  const path: Buffer[] = [];
  const walk = (m: number, start: number, n: number): void => {
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, start, k);
      path.push(treeHash(start + k, n - k, complete));
    } else {
      walk(m - k, start + k, n - k);
      path.push(treeHash(start, k, complete));
    }
  };
  walk(leafIndex, 0, treeSize);
  return path;
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1. The RFC defines it for 0 < m < n; between equal sizes,
 * and from the empty tree, the path is empty (what verify-proofs.ts expects of them).
 */
export function consistencyPath(fromSize: number, toSize: number, complete: CompleteSubtree): Buffer[] {
  if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > toSize)
    throw new RangeError(`a tree of ${fromSize} leaves cannot be the start of one of ${toSize}`);
  const path: Buffer[] = [];
  // SUBPROOF(m, D[start:start+n], whole)
  const walk = (m: number, start: number, n: number, whole: boolean): void => {
    if (m === n) {
      if (!whole) path.push(treeHash(start, n, complete));
      return;
    }
    const k = split(n);
    if (m <= k) {
      walk(m, start, k, whole);
      path.push(treeHash(start + k, n - k, complete));
    } else {
      walk(m - k, start + k, n - k, false);
      path.push(treeHash(start, k, complete));
    }
  };
  if (fromSize > 0) walk(fromSize, 0, toSize, true);
  return path;
}

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
