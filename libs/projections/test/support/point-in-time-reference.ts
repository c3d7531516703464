import { complaintAsOf, isAfter, type AlertSettings, type ComplianceRules, type State } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import {
  complaintProjection,
  documentWriter,
  openReadModelDatabase,
  prepareTable,
  type ComplaintDocument,
  type PointInTime,
  type ReadModelDatabase,
} from '../../src';

const PAGE = 5000;

/**
 * The reference the point-in-time read model is held to: the complaints read model as it was
 * (`knownAt`) or as the facts put it (`asOf`), built in memory from the whole log for one query,
 * each complaint judged at `asOf` (or `knownAt`), then listing, TSM and the annual report run on it
 * unchanged. It reads the whole log (what the service did before the read model kept its history).
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
      const state = at.asOf ? breachesDueBy(complaintAsOf(doc.state, at.asOf), at.asOf) : doc.state;
      if (state) save(key, { state, revision: doc.revision, lastRecordedAt: judgedAt ?? doc.lastRecordedAt });
    }
  })();
  return db;
}

/**
 * The breaches on record that held at `asOf`: those of deadlines due by then (a breach's key ends
 * with its deadline's due instant), as the breaches list at `asOf` lists them (decision 0025).
 */
function breachesDueBy(state: State, asOf: string): State {
  if (!state?.alerts) return state;
  const dueBy = (key: string) => !isAfter(key.split('|')[3]!, asOf);
  const { breached, retracted } = state.alerts;
  return {
    ...state,
    alerts: { ...state.alerts, breached: breached.filter(dueBy), ...(retracted ? { retracted: retracted.filter(dueBy) } : {}) },
  };
}
