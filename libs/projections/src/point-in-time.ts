import type { Instant } from '@complaint-ledger/domain';

/** Record time and business time (decision 0018); either may be absent (absent both: now). */
export interface PointInTime {
  /** Only what had been recorded by then. */
  readonly knownAt?: Instant;
  /** Each complaint as it stood then, from the facts dated on or before it. */
  readonly asOf?: Instant;
}
