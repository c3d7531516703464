import { EVENT_SCHEMA_VERSION, type PersonalDataErased } from '@complaint-ledger/domain';
import { complaintStream, uuidFrom, type EventStore } from '@complaint-ledger/event-store';
import { complaintsOfResident, tableOf, type ReadSide } from '@complaint-ledger/projections';
import { randomUUID } from 'node:crypto';
import type { DataKeyStore } from './data-keys';

export interface ErasureOutcome {
  readonly reference: string;
  readonly erasedAt: string;
  /** False when the resident had already been erased: nothing changed. */
  readonly erasedNow: boolean;
  readonly complaints: readonly string[];
}

type Ground = PersonalDataErased['data']['ground'];

/**
 * Erases a resident's personal data by destroying their data key (crypto-shredding), then records
 * `PersonalDataErased` in each of their complaints' streams, so the record says when, by whom and
 * why. Event ids derive from the complaint and the resident: a repeated erasure writes nothing
 * twice. Used by the API (on request) and by the worker (retention).
 */
export class ResidentErasure {
  constructor(
    private readonly keys: DataKeyStore,
    private readonly store: EventStore,
    private readonly readSide: ReadSide,
    private readonly clock: () => string,
  ) {}

  async erase(reference: string, actor: string, ground: Ground, correlationId: string = randomUUID()): Promise<ErasureOutcome> {
    const erasedNow = this.keys.erase(reference, this.clock(), actor, ground);
    const erasedAt = this.keys.erasure(reference)!.erasedAt;
    await this.readSide.runner.catchUp(); // complaints recorded a moment ago are found too
    const complaints = complaintsOfResident(this.readSide.db, reference);
    for (const complaintId of complaints) {
      const stream = complaintStream(complaintId);
      const data: PersonalDataErased['data'] = { complaintId, residentReference: reference, erasedAt, ground };
      const eventId = uuidFrom(`${stream}|PersonalDataErased|${reference}`);
      const metadata = { occurredAt: erasedAt, actor, correlationId, schemaVersion: EVENT_SCHEMA_VERSION };
      await this.store.append(stream, [{ eventId, type: 'PersonalDataErased', data, metadata }], 'any');
    }
    return { reference, erasedAt, erasedNow, complaints };
  }

  /**
   * Retention: erases every resident whose complaints are all closed (responded, withdrawn, not
   * accepted, escalation refused) and the last closed more than `years` ago, unless already erased.
   */
  async eraseExpired(years: number, actor = 'ledger:retention'): Promise<ErasureOutcome[]> {
    await this.readSide.runner.catchUp();
    const now = new Date(Date.parse(this.clock()));
    const cutoff = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate(), now.getUTCHours())).toISOString();
    const closedAt = [
      'stage2.response.at',
      'stage1.response.at',
      'withdrawal.withdrawnAt',
      'nonAcceptance.decidedAt',
      'escalationRefusal.decidedAt',
    ]
      .map((path) => `COALESCE(json_extract(doc, '$.state.${path}'), '')`)
      .join(', ');
    const expired = this.readSide.db
      .prepare(
        `SELECT json_extract(doc, '$.state.resident.reference') AS reference
         FROM ${tableOf({ name: 'complaints' })}
         GROUP BY reference
         HAVING SUM(status = 'open') = 0
            AND MAX(MAX(${closedAt})) <= @cutoff
            AND SUM(json_extract(doc, '$.state.personalDataErasedAt') IS NULL) > 0`,
      )
      .pluck()
      .all({ cutoff }) as string[];
    const outcomes: ErasureOutcome[] = [];
    for (const reference of expired) outcomes.push(await this.erase(reference, actor, 'retention'));
    return outcomes;
  }
}
