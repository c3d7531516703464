import type { DomainError } from '@complaint-ledger/domain';

/**
 * Why the write path recorded nothing. Each edge maps these to its own language (the API to
 * problem+json, the worker to a log line); the store's own failures (WrongExpectedRevision after
 * the retries, StoreUnavailable) pass through as they are.
 */

/** The decider refused the command: it cannot have happened (the error names the field and provision). */
export class CommandRefused extends Error {
  constructor(readonly reason: DomainError) {
    super(reason.message);
    this.name = 'CommandRefused';
  }
}

/** The caller decided on `expected` (If-Match), but the complaint is at `actual`. */
export class RevisionMismatch extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the command was decided on revision ${expected}, but the complaint is at revision ${actual}`);
    this.name = 'RevisionMismatch';
  }
}

/** The idempotency key was used before with another request. */
export class IdempotencyKeyReused extends Error {
  constructor() {
    super('this idempotency key was already used with a different request');
    this.name = 'IdempotencyKeyReused';
  }
}

/**
 * A stream none of whose events carries a MAC, read while the start-up verification has not yet
 * found where the log's authenticated events begin (decision 0023): it may be written before MACs,
 * or forged since by someone without the event key, and nothing can tell which until that pass
 * ends. Neither decided on nor shown meanwhile; asked again shortly, it is answered.
 */
export class LedgerStillVerifying extends Error {
  constructor(
    readonly streamId: string,
    message = `${streamId} carries no MAC, and the ledger is still verifying its log at start: whether it wrote it is not known yet`,
  ) {
    super(message);
    this.name = 'LedgerStillVerifying';
  }
}

/**
 * The ledger's own verification found the log altered: nothing more is written on top of it until
 * someone has looked (reads keep working, so the damage can be examined).
 */
export class LedgerBroken extends Error {
  constructor(readonly found: { readonly kind: string; readonly position: number; readonly detail: string }) {
    super(`the ledger's integrity check failed at position ${found.position} (${found.kind}): ${found.detail}`);
    this.name = 'LedgerBroken';
  }
}

/**
 * This process's clock is further from the event store's than LEDGER_MAX_CLOCK_OFFSET_MS allows:
 * every event's record time is this clock, so nothing is written until it is set right (decision 0029).
 */
export class ClockOffset extends Error {
  constructor(
    /** The store's clock minus this process's, as last measured. */
    readonly offsetMs: number,
    readonly uncertaintyMs: number,
    readonly maxOffsetMs: number,
  ) {
    super(
      `this process's clock is ${Math.abs(offsetMs)} ms ${offsetMs < 0 ? 'ahead of' : 'behind'} the event store's (± ${uncertaintyMs} ms), ` +
        `beyond LEDGER_MAX_CLOCK_OFFSET_MS (${maxOffsetMs} ms)`,
    );
    this.name = 'ClockOffset';
  }
}
