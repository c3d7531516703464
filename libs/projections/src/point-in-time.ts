import { complaintAsOf, isAfter, type AlertSettings, type ComplianceRules, type Instant } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import { complaintProjection, type ComplaintDocument } from './complaints/complaint-projection';
import { documentWriter, openReadModelDatabase, prepareTable, type ReadModelDatabase } from './read-model-database';

/** Record time and business time (decision 0018); either may be absent. */
export interface PointInTime {
  /** Only what had been recorded by then. */
  readonly knownAt?: Instant;
  /** Each complaint as it stood then, from the facts dated on or before it. */
  readonly asOf?: Instant;
}

const PAGE = 5000;

/**
 * The complaints read model as it was (`knownAt`) or as the facts put it (`asOf`), built in memory
 * from the log for one query: listing, TSM and the annual report then run on it unchanged. Each
 * complaint is judged at `asOf` (or `knownAt`). It reads the whole log, so it costs what a rebuild
 * of the complaints read model costs (docs/performance.md); the live read models answer "now".
 */
export async function pointInTimeReadModel(
  store: EventStore,
  rules: ComplianceRules,
  alerts: AlertSettings,
  at: PointInTime,
): Promise<ReadModelDatabase> {
  const projection = complaintProjection(rules, alerts);
  const docs = new Map<string, ComplaintDocument>();
  for (let after = -1; ;) {
    const page = await store.readAll(after, PAGE);
    for (const event of page) {
      if (at.knownAt && isAfter(event.metadata.recordedAt, at.knownAt)) continue;
      const key = projection.keyOf(event);
      if (key === null) continue;
      const doc = projection.evolve(docs.get(key) ?? null, event);
      if (doc) docs.set(key, doc);
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
  }
  const db = openReadModelDatabase(':memory:');
  prepareTable(db, projection, false);
  const save = documentWriter(db, projection);
  const judgedAt = at.asOf ?? at.knownAt;
  db.transaction(() => {
    for (const [key, doc] of docs) {
      const state = at.asOf ? complaintAsOf(doc.state, at.asOf) : doc.state;
      if (state) save(key, { state, revision: doc.revision, lastRecordedAt: judgedAt ?? doc.lastRecordedAt });
    }
  })();
  return db;
}
