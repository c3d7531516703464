import { hash } from 'node:crypto';

/**
 * The hashes of RFC 9162 §2.1.1 (Certificate Transparency v2), with SHA-256: a leaf is hashed with
 * a 0x00 byte before it and an interior node with 0x01, so no leaf can pass for a node (the
 * second-preimage attack §2.1.1 guards against). Node's crypto and nothing of the ledger, so an
 * offline verifier can carry this file and verify-proofs.ts as they are.
 */
export const HASH_BYTES = 32;

/** MTH({}): the hash of the empty tree, SHA-256 of no bytes. */
export const EMPTY_TREE_HASH: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

const LEAF = Buffer.of(0x00);
const NODE = Buffer.of(0x01);

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF, leaf]), 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE, left, right]), 'buffer');
}
