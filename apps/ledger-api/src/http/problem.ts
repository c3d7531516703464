import { HttpException } from '@nestjs/common';

export interface FieldError {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** RFC 9457 problem details; `errors` names each offending field and the rule it broke (API.md). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  provision?: string;
  errors?: FieldError[];
}

export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }
}

export const problemType = (code: string) => `https://complaint-ledger.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`;
