/** Injection tokens for the parts of the opened ledger the API's controllers use. */
export const LEDGER = Symbol('Ledger');
export const EVENT_STORE = Symbol('EventStore');
export const CLOCK = Symbol('Clock');
export const COMPLIANCE_RULES = Symbol('ComplianceRules');
export const LEDGER_CONFIG = Symbol('LedgerConfig');
export const READ_SIDE = Symbol('ReadSide');

export type { Clock } from '@complaint-ledger/ledger';
