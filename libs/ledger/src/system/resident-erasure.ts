import { complaintsOfResident, residentsClosedBefore, type ReadSide } from '@complaint-ledger/projections';
import type { KeyStore } from '@complaint-ledger/privacy';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { WritePath } from '../write/write-path';

export interface ErasureOutcome {
  readonly reference: string;
  readonly erasedAt: string;
  /** False when the resident had already been erased: nothing changed. */
  readonly erasedNow: boolean;
  readonly complaints: readonly string[];
}

export type ErasureGround = 'request' | 'retention';

/**
 * Erases a resident's personal data by destroying their data key (crypto-shredding), then sends
 * `ErasePersonalData` through the write path for each of their complaints, so the record says
 * when, by whom and why (`PersonalDataErased`). Repeating an erasure records nothing twice (the
 * decider sees the complaint already erased). Used by the API (on request) and the worker (retention).
 */
export class ResidentErasure {
  constructor(
    private readonly keys: KeyStore,
    private readonly write: WritePath,
    private readonly readSide: ReadSide,
    private readonly clock: Clock,
  ) {}

  async erase(reference: string, actor: string, ground: ErasureGround, correlationId: string = randomUUID()): Promise<ErasureOutcome> {
    const erasedNow = await this.keys.erase(reference, this.clock(), actor, ground);
    const erasedAt = this.keys.erasure(reference)!.erasedAt;
    await this.readSide.runner.catchUp(); // complaints recorded a moment ago are found too
    const complaints = complaintsOfResident(this.readSide.db, reference);
    for (const complaintId of complaints) {
      const command = { type: 'ErasePersonalData', data: { residentReference: reference, erasedAt, ground } } as const;
      await this.write.execute({ complaintId, command, actor, correlationId });
    }
    return { reference, erasedAt, erasedNow, complaints };
  }

  /** Retention: erases every resident whose complaints all closed more than `years` ago, unless already erased. */
  async eraseExpired(years: number, actor = 'ledger:retention'): Promise<ErasureOutcome[]> {
    await this.readSide.runner.catchUp();
    const now = new Date(Date.parse(this.clock()));
    const cutoff = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate(), now.getUTCHours())).toISOString();
    const outcomes: ErasureOutcome[] = [];
    for (const reference of residentsClosedBefore(this.readSide.db, cutoff)) outcomes.push(await this.erase(reference, actor, 'retention'));
    return outcomes;
  }
}
