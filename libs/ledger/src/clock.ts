/** The only clock the ledger reads, as an ISO-8601 UTC instant; tests replace it. */
export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();
