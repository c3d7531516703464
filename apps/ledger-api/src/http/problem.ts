import { HttpException } from '@nestjs/common';
import type { CodeVersion } from '@complaint-ledger/domain';
import type { FieldError } from '@complaint-ledger/ledger';

export type { FieldError };

/** RFC 9457 problem details; `errors` names each offending field and the rule it broke. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  provision?: string;
  /** The version of the Code whose numbering `provision` follows, or that was consulted and has none (decision 0019). */
  codeVersion?: CodeVersion;
  errors?: FieldError[];
}

export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }
}

/**
 * A problem's `type`: a name under the project's own URN namespace, from its code
 * (`COMPLAINT.NOT_FOUND` → `urn:complaint-ledger:problem:complaint-not-found`). A name to compare,
 * never a page to fetch: the project owns no web address, and a URL under one it does not own
 * could one day answer with someone else's page (docs/integration.md, "Errors").
 */
export const PROBLEM_TYPE_PREFIX = 'urn:complaint-ledger:problem:';
export const problemType = (code: string) => `${PROBLEM_TYPE_PREFIX}${code.toLowerCase().replace(/[._]/g, '-')}`;

/** 400: the request itself is malformed; each error names the field and the rule it broke. */
/** The broken rules a 400 lists, at most: a body of thousands of unknown fields is answered in a page, not megabytes. */
const ERRORS_LISTED = 50;

export const invalidRequest = (all: FieldError[]) => {
  const errors = all.slice(0, ERRORS_LISTED);
  const more = all.length - errors.length;
  return new ProblemException({
    type: problemType('REQUEST.INVALID'),
    title: 'Invalid request',
    status: 400,
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; ') + (more ? `; and ${more} more` : ''),
    errors,
  });
};
