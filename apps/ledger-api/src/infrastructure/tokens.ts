/** Injection tokens for the infrastructure the app is wired with. */
export const EVENT_STORE = Symbol('EventStore');
export const CLOCK = Symbol('Clock');
export const COMPLIANCE_RULES = Symbol('ComplianceRules');
export const LEDGER_CONFIG = Symbol('LedgerConfig');
export const READ_SIDE = Symbol('ReadSide');
export const RELAY = Symbol('EventRelay');
export const DATA_KEYS = Symbol('DataKeyStore');
export const PERSONAL_DATA = Symbol('PersonalDataCipher');

/** The only clock the service reads; tests replace it. */
export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();
