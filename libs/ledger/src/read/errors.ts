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

/**
 * The complaint's events in the log are not what the ledger's verification covers (an event
 * altered, removed, forged or misfiled): it is not shown from them. Its integrity says where.
 */
export class ComplaintAltered extends Error {
  constructor(
    readonly complaintId: string,
    readonly found: { readonly kind: string; readonly revision?: number; readonly detail: string },
  ) {
    super(`complaint ${complaintId}'s record in the log was altered (${found.kind}): ${found.detail}`);
    this.name = 'ComplaintAltered';
  }
}

/** An erasure asked for a reference the ledger has never recorded (no complaint, no data key, no erasure): nothing to erase. */
export class ResidentNotFound extends Error {
  constructor(readonly reference: string) {
    super(`no resident is recorded under the reference ${JSON.stringify(reference)}: nothing was erased`);
    this.name = 'ResidentNotFound';
  }
}

/**
 * The read models were found disagreeing with the log and are being rebuilt from it: what they
 * answer (breaches, TSM, the annual report, the list) is refused meanwhile, never served wrong.
 */
export class ReadModelsRepairing extends Error {
  constructor(readonly mismatched: readonly string[]) {
    super(
      `the read models (${mismatched.join(', ')}) were found disagreeing with the log and are being rebuilt from it; ask again in a moment`,
    );
    this.name = 'ReadModelsRepairing';
  }
}

/** A query ran past its time budget (LEDGER_QUERY_SECONDS): it was abandoned, and may be asked again. */
export class QueryTimedOut extends Error {
  constructor(why: string) {
    super(`the query was abandoned: ${why}`);
    this.name = 'QueryTimedOut';
  }
}

/** Too many queries are waiting already: this one was not queued. */
export class QueryBusy extends Error {
  constructor(waiting: number) {
    super(`${waiting} queries are waiting already`);
    this.name = 'QueryBusy';
  }
}

/** The read models had not reached the log position asked for (`minPosition`) within the wait. */
export class ReadModelsBehind extends Error {
  constructor(
    readonly asked: number,
    readonly reached: number,
  ) {
    super(`the read models are at log position ${reached}, not yet ${asked}`);
    this.name = 'ReadModelsBehind';
  }
}
