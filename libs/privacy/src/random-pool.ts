import { randomFillSync } from 'node:crypto';

// Random bytes for IVs, key ids and keys come from one pooled buffer, refilled from the CSPRNG 4 KB
// at a time: one call per ~60 values rather than one each (a synchronous randomBytes call costs
// the same however few bytes it returns, and every personal field needs an IV).
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** `size` fresh random bytes (at most 4096), valid until the next call: copy them to keep them. */
export function randomView(size: number): Buffer {
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += size;
  return pool.subarray(offset - size, offset);
}

/** `size` fresh random bytes of the caller's own. */
export const randomCopy = (size: number): Buffer => Buffer.from(randomView(size));
