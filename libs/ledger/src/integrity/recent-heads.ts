import type { LedgerHead } from '@complaint-ledger/domain';

const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The ledger chain's heads at the last `window` positions verified, for a checkpoint met a little
 * after the position it signed. In flat memory, as RecentRoots keeps the tree's leaves: a ring of
 * positions, event counts and 32-byte hashes (48 bytes a head, 3 MB for 65,536), where a Map of
 * head objects held about 180 bytes each (12 MB of the API's heap once the log is that long).
 * Positions are added in increasing order (the verifier reads the log in order), so a head is found
 * by a binary search of the ring.
 */
export class RecentHeads {
  private readonly positions: Float64Array;
  private readonly events: Float64Array;
  private readonly hashes: Buffer;
  private next = 0;
  private count = 0;

  constructor(private readonly window: number) {
    this.positions = new Float64Array(window);
    this.events = new Float64Array(window);
    this.hashes = Buffer.alloc(window * HASH_BYTES);
  }

  /** The head after the event at `head.position`, a later position than any added before. */
  add(head: LedgerHead): void {
    // a head is always a SHA-256 in hex: anything else cannot have come from the chain
    if (!HEX_HASH.test(head.head)) throw new Error(`a ledger head is a SHA-256 in hex, not ${JSON.stringify(head.head)}`);
    if (this.count && head.position <= this.positions[this.slot(this.count - 1)]!)
      throw new Error(`heads are added in position order: ${head.position} after ${this.positions[this.slot(this.count - 1)]}`);
    this.positions[this.next] = head.position;
    this.events[this.next] = head.events;
    this.hashes.write(head.head, this.next * HASH_BYTES, 'hex');
    this.next = (this.next + 1) % this.window;
    this.count = Math.min(this.count + 1, this.window);
  }

  /** The head at `position`, if it is among the last `window` added. */
  at(position: number): LedgerHead | undefined {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const slot = this.slot(middle);
      const found = this.positions[slot]!;
      if (found === position) {
        const head = this.hashes.toString('hex', slot * HASH_BYTES, (slot + 1) * HASH_BYTES);
        return { position, events: this.events[slot]!, head };
      }
      if (found < position) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** Where the `nth` oldest head kept lives in the ring. */
  private slot(nth: number): number {
    return (this.next - this.count + nth + this.window) % this.window;
  }
}
