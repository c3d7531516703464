import { tableOf, type ReadModelDatabase } from '../read-model-database';

/** The complaints a resident made (by their reference), from the complaints read model. */
export function complaintsOfResident(db: ReadModelDatabase, reference: string): string[] {
  return db
    .prepare(`SELECT key FROM ${tableOf({ name: 'complaints' })} WHERE json_extract(doc, '$.state.resident.reference') = ? ORDER BY key`)
    .pluck()
    .all(reference) as string[];
}
