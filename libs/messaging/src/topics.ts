/** The four topics the relay publishes to (names are configuration; these are the defaults). */
export interface TopicNames {
  /** Every domain event as an integration event; key = complaint id. */
  readonly events: string;
  /** `DeadlineBreached`, `DeadlineApproaching` and `BreachRetracted` (a breach the facts disproved); key = complaint id. */
  readonly breaches: string;
  /** CH01/CH02 snapshots; key = `<year>:<tenure>`. Meant to be a compacted topic. */
  readonly tsm: string;
  /** The ledger's signed checkpoints; key = `ledger`. Kept for ever: each is evidence of the log as it was. */
  readonly checkpoints: string;
}

export const DEFAULT_TOPICS: TopicNames = {
  events: 'complaints.events.v1',
  breaches: 'complaints.breaches.v1',
  tsm: 'complaints.tsm.v1',
  checkpoints: 'complaints.checkpoints.v1',
};

/** The configured names: a prefix (e.g. `acme.`) before each, and any name replaced outright. */
export function topicNames(prefix = '', overrides: Partial<TopicNames> = {}): TopicNames {
  return {
    events: prefix + (overrides.events ?? DEFAULT_TOPICS.events),
    breaches: prefix + (overrides.breaches ?? DEFAULT_TOPICS.breaches),
    tsm: prefix + (overrides.tsm ?? DEFAULT_TOPICS.tsm),
    checkpoints: prefix + (overrides.checkpoints ?? DEFAULT_TOPICS.checkpoints),
  };
}
