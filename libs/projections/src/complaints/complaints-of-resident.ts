import { tableOf, type ReadModelDatabase } from '../read-model-database';

const COMPLAINTS = tableOf({ name: 'complaints' });

/** The complaints a resident made (by their reference), from the complaints read model. */
export function complaintsOfResident(db: ReadModelDatabase, reference: string): string[] {
  return db
    .prepare(`SELECT key FROM ${COMPLAINTS} WHERE json_extract(doc, '$.state.resident.reference') = ? ORDER BY key`)
    .pluck()
    .all(reference) as string[];
}

/** Where a closed complaint's closing date is: its last response, withdrawal, non-acceptance or refused escalation. */
const CLOSED_AT = [
  'stage2.response.at',
  'stage1.response.at',
  'withdrawal.withdrawnAt',
  'nonAcceptance.decidedAt',
  'escalationRefusal.decidedAt',
]
  .map((path) => `COALESCE(json_extract(doc, '$.state.${path}'), '')`)
  .join(', ');

/**
 * Residents not yet erased whose complaints are all closed (responded, withdrawn, not accepted,
 * escalation refused), the last of them closed at or before `cutoff`: those retention erases.
 */
export function residentsClosedBefore(db: ReadModelDatabase, cutoff: string): string[] {
  return db
    .prepare(
      `SELECT json_extract(doc, '$.state.resident.reference') AS reference
       FROM ${COMPLAINTS}
       GROUP BY reference
       HAVING SUM(status = 'open') = 0
          AND MAX(MAX(${CLOSED_AT})) <= @cutoff
          AND SUM(json_extract(doc, '$.state.personalDataErasedAt') IS NULL) > 0`,
    )
    .pluck()
    .all({ cutoff }) as string[];
}
