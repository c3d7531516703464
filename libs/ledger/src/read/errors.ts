/**
 * Why a query has no answer. The core's own errors: each edge says them in its language (the API
 * as problem+json, the console as a page).
 */

/** No complaint with this id has been received. */
export class ComplaintNotFound extends Error {
  constructor(readonly complaintId: string) {
    super(`no complaint ${complaintId} has been received`);
    this.name = 'ComplaintNotFound';
  }
}

/** The complaint exists, but had not been received (business time) or recorded (record time) by then. */
export class ComplaintNotYet extends Error {
  constructor(
    readonly what: 'received' | 'recorded',
    readonly complaintId: string,
    readonly at: string,
  ) {
    super(`complaint ${complaintId} had not been ${what} by ${at}`);
    this.name = 'ComplaintNotYet';
  }
}

/** A paging cursor this ledger did not issue. */
export class InvalidCursor extends Error {
  constructor() {
    super('cursor must be a nextCursor returned by the same list');
    this.name = 'InvalidCursor';
  }
}
