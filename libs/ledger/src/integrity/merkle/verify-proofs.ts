import { EMPTY_TREE_HASH, HASH_BYTES, nodeHash } from './hashes';

/** That the leaf at `leafIndex` is in the tree of `treeSize` leaves: its siblings' hashes from the leaf up (RFC 9162 §2.1.3). */
export interface InclusionProof {
  /** 0 for the tree's first leaf. */
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly path: readonly Uint8Array[];
}

/** That the tree of `fromSize` leaves is the first `fromSize` leaves of the tree of `toSize` (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  readonly fromSize: number;
  readonly toSize: number;
  readonly path: readonly Uint8Array[];
}

/**
 * What is wrong with an inclusion proof of the leaf whose hash is `leaf` under `root`, or null
 * when it proves it: RFC 9162 §2.1.3.2, step by step, after refusing what is malformed (an index
 * outside the tree, a hash of the wrong length). A path too long or too short fails the RFC's own
 * checks (sn reaching 0 early, or not at all).
 */
export function inclusionProofProblem(leaf: Uint8Array, proof: InclusionProof, root: Uint8Array): string | null {
  const { leafIndex, treeSize, path } = proof;
  const malformed =
    sizeProblem('the tree size', treeSize) ??
    sizeProblem('the leaf index', leafIndex) ??
    hashesProblem(leaf, root, path, 'the leaf hash', 'the root');
  if (malformed) return malformed;
  if (leafIndex >= treeSize) return `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0) return `the path has more hashes than leaf ${leafIndex} of a tree of ${treeSize} leaves needs`;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return `the path has fewer hashes than leaf ${leafIndex} of a tree of ${treeSize} leaves needs`;
  return same(r, root) ? null : `the path from leaf ${leafIndex} does not lead to the root of the tree of ${treeSize} leaves`;
}

/**
 * What is wrong with a consistency proof between the trees whose roots are `fromRoot` and
 * `toRoot`, or null when it proves the first is a prefix of the second: RFC 9162 §2.1.4.2, step by
 * step, for 0 < fromSize < toSize. The RFC leaves the other sizes to the reader: two trees of the
 * same size are consistent when their roots are the same and the path is empty; the empty tree
 * (its root MTH({})) is a prefix of every tree, with an empty path; a tree never shrinks.
 */
export function consistencyProofProblem(proof: ConsistencyProof, fromRoot: Uint8Array, toRoot: Uint8Array): string | null {
  const { fromSize, toSize, path } = proof;
  const malformed =
    sizeProblem('the first tree size', fromSize) ??
    sizeProblem('the second tree size', toSize) ??
    hashesProblem(fromRoot, toRoot, path, 'the first root', 'the second root');
  if (malformed) return malformed;
  if (fromSize > toSize) return `a tree of ${fromSize} leaves cannot be the start of one of ${toSize}`;
  if (fromSize === 0 || fromSize === toSize) {
    if (path.length) return `the path must be empty between trees of ${fromSize} and ${toSize} leaves`;
    if (fromSize === 0 && !same(fromRoot, EMPTY_TREE_HASH)) return "the first root is not the empty tree's";
    if (fromSize === toSize && !same(fromRoot, toRoot)) return `two trees of ${toSize} leaves with different roots`;
    return null;
  }
  // 1. an empty path fails; 2. a first tree that is a whole subtree starts from its own root
  if (!path.length) return `the path is empty between trees of ${fromSize} and ${toSize} leaves`;
  const hashes = isPowerOfTwo(fromSize) ? [fromRoot, ...path] : path;
  // 3., 4.
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  // 5.
  let fr: Uint8Array = hashes[0]!;
  let sr: Uint8Array = hashes[0]!;
  // 6.
  for (const c of hashes.slice(1)) {
    if (sn === 0) return `the path has more hashes than trees of ${fromSize} and ${toSize} leaves need`;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  // 7.
  if (sn !== 0) return `the path has fewer hashes than trees of ${fromSize} and ${toSize} leaves need`;
  if (!same(fr, fromRoot)) return `the path does not lead to the first root (${fromSize} leaves)`;
  if (!same(sr, toRoot)) return `the path does not lead to the second root (${toSize} leaves)`;
  return null;
}

function sizeProblem(what: string, size: number): string | null {
  return Number.isSafeInteger(size) && size >= 0 ? null : `${what} is not a whole number of leaves: ${String(size)}`;
}

function hashesProblem(a: Uint8Array, b: Uint8Array, path: readonly Uint8Array[], aName: string, bName: string): string | null {
  if (a.length !== HASH_BYTES) return `${aName} is ${a.length} bytes, not ${HASH_BYTES}`;
  if (b.length !== HASH_BYTES) return `${bName} is ${b.length} bytes, not ${HASH_BYTES}`;
  const wrong = path.findIndex((hash) => hash.length !== HASH_BYTES);
  return wrong < 0 ? null : `the path's hash ${wrong} is ${path[wrong]!.length} bytes, not ${HASH_BYTES}`;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
// Arithmetic rather than bitwise operators: JavaScript's work on 32 bits, a tree size may be larger.
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
export const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;
