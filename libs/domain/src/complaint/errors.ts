import type { CodeVersion } from '../policy/code-policy';

/**
 * A command the ledger refuses because it cannot have happened (docs/architecture.md, principle 1).
 * `kind` says how an adapter should report it: not_found (404), conflict with the complaint's
 * state (409), or invalid input (422). `field` names the offending input where there is one;
 * `provision` the Code provision a refusal rests on, numbered as `codeVersion` numbers it (decision 0019).
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid';

export class DomainError {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    readonly message: string,
    readonly details: { readonly field?: string; readonly provision?: string; readonly codeVersion?: CodeVersion } = {},
  ) {}
}

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;
