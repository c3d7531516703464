import type { DomainError } from '@complaint-ledger/domain';
import type { ComplaintNotYet } from '@complaint-ledger/ledger';
import { problemType, ProblemException } from '../http/problem';

const STATUS = { not_found: 404, conflict: 409, invalid: 422 } as const;
const TITLE = { not_found: 'Not found', conflict: "Not possible in the complaint's current state", invalid: 'Impossible value' } as const;

/** A refusal by the decider, as problem+json: the code, the field, and the Code provision it cites with that Code's version. */
export function domainProblem(error: DomainError): ProblemException {
  return new ProblemException({
    type: problemType(error.code),
    title: TITLE[error.kind],
    status: STATUS[error.kind],
    detail: error.message,
    code: error.code,
    ...(error.details.provision ? { provision: error.details.provision } : {}),
    ...(error.details.codeVersion ? { codeVersion: error.details.codeVersion } : {}),
    ...(error.details.field ? { errors: [{ field: error.details.field, rule: error.code, message: error.message }] } : {}),
  });
}

export const preconditionFailed = (expected: number, actual: number) =>
  new ProblemException({
    type: problemType('CONCURRENCY.PRECONDITION_FAILED'),
    title: 'Precondition failed',
    status: 412,
    detail: `If-Match named revision ${expected}, but the complaint is at revision ${actual}`,
    code: 'CONCURRENCY.PRECONDITION_FAILED',
  });

export const idempotencyKeyReused = () =>
  new ProblemException({
    type: problemType('IDEMPOTENCY.KEY_REUSED'),
    title: 'Idempotency key reused',
    status: 422,
    detail: 'This Idempotency-Key was already used with a different request',
    code: 'IDEMPOTENCY.KEY_REUSED',
    errors: [{ field: 'Idempotency-Key', rule: 'IDEMPOTENCY.KEY_REUSED', message: 'the same key must carry the same request' }],
  });

export const complaintNotFound = (id: string) =>
  new ProblemException({
    type: problemType('COMPLAINT.NOT_FOUND'),
    title: 'Not found',
    status: 404,
    detail: `no complaint ${id} has been received`,
    code: 'COMPLAINT.NOT_FOUND',
  });

/** 404: the complaint exists, but had not been received (business time) or recorded (record time) by then. */
export const notYet = ({ what, complaintId, at }: ComplaintNotYet) => {
  const code = `COMPLAINT.NOT_YET_${what.toUpperCase()}`;
  return new ProblemException({
    type: problemType(code),
    title: 'Not found',
    status: 404,
    detail: `complaint ${complaintId} had not been ${what} by ${at}`,
    code,
  });
};
