import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SCHEMA_VERSION, type PersonalDataErased } from '@complaint-ledger/domain';
import { complaintStream, uuidFrom, type EventStore } from '@complaint-ledger/event-store';
import { complaintsOfResident, type ReadSide } from '@complaint-ledger/projections';
import type { DataKeyStore } from '@complaint-ledger/privacy';
import { randomUUID } from 'node:crypto';
import { CLOCK, DATA_KEYS, EVENT_STORE, READ_SIDE, type Clock } from '../infrastructure/tokens';

export interface ErasureOutcome {
  readonly reference: string;
  readonly erasedAt: string;
  /** False when the resident had already been erased: nothing changed. */
  readonly erasedNow: boolean;
  readonly complaints: readonly string[];
}

/**
 * Erases a resident's personal data by destroying their data key (crypto-shredding), then records
 * `PersonalDataErased` in each of their complaints' streams so the record says when and why. The
 * event ids derive from the complaint and the resident, so a repeated request writes nothing twice.
 */
@Injectable()
export class ErasureService {
  constructor(
    @Inject(DATA_KEYS) private readonly keys: DataKeyStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async erase(
    reference: string,
    actor: string,
    ground: PersonalDataErased['data']['ground'],
    correlationId: string,
  ): Promise<ErasureOutcome> {
    const erasedNow = this.keys.erase(reference, this.clock(), actor, ground);
    const erasedAt = this.keys.erasure(reference)!.erasedAt;
    await this.readSide.runner.catchUp(); // complaints recorded a moment ago are found too
    const complaints = complaintsOfResident(this.readSide.db, reference);
    for (const complaintId of complaints) {
      const stream = complaintStream(complaintId);
      const data: PersonalDataErased['data'] = { complaintId, residentReference: reference, erasedAt, ground };
      await this.store.append(
        stream,
        [
          {
            eventId: uuidFrom(`${stream}|PersonalDataErased|${reference}`),
            type: 'PersonalDataErased',
            data,
            metadata: { occurredAt: erasedAt, actor, correlationId, schemaVersion: EVENT_SCHEMA_VERSION, causationId: randomUUID() },
          },
        ],
        'any',
      );
    }
    return { reference, erasedAt, erasedNow, complaints };
  }
}
