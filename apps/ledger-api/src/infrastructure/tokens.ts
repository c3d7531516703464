/** Injection tokens for what the API's controllers take from the opened ledger. */
export const LEDGER = Symbol('Ledger');
export const CLOCK = Symbol('Clock');

export type { Clock } from '@complaint-ledger/ledger';
