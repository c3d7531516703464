import { createHash } from 'node:crypto';

/**
 * RFC 9162 §2.1's definitions written out literally over leaves held in an array (slices and
 * recursion, SHA-256 straight from node:crypto): the specification the library's tree, node
 * stores and verifiers are held to, sharing none of their code.
 */
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const H_LEAF = Buffer.of(0x00);
const H_NODE = Buffer.of(0x01);

export const rfcLeafHash = (leaf: Uint8Array): Buffer => sha256(H_LEAF, leaf);
export const rfcNodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(H_NODE, left, right);

/** k: the largest power of two smaller than n. */
const k = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);

export function MTH(D: readonly Uint8Array[]): Buffer {
  const n = D.length;
  if (n === 0) return sha256();
  if (n === 1) return rfcLeafHash(D[0]!);
  return rfcNodeHash(MTH(D.slice(0, k(n))), MTH(D.slice(k(n))));
}

export function PATH(m: number, D: readonly Uint8Array[]): Buffer[] {
  const n = D.length;
  if (n === 1) return [];
  if (m < k(n)) return [...PATH(m, D.slice(0, k(n))), MTH(D.slice(k(n)))];
  return [...PATH(m - k(n), D.slice(k(n))), MTH(D.slice(0, k(n)))];
}

export function PROOF(m: number, D: readonly Uint8Array[]): Buffer[] {
  return SUBPROOF(m, D, true);
}

function SUBPROOF(m: number, D: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = D.length;
  if (m === n) return b ? [] : [MTH(D)];
  if (m <= k(n)) return [...SUBPROOF(m, D.slice(0, k(n)), b), MTH(D.slice(k(n)))];
  return [...SUBPROOF(m - k(n), D.slice(k(n)), false), MTH(D.slice(0, k(n)))];
}
