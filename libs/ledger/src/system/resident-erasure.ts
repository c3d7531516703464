import { complaintsOfResident, residentsClosedBefore, type ReadSide } from '@complaint-ledger/projections';
import type { KeyStore } from '@complaint-ledger/privacy';
import { normaliseResidentReference } from '@complaint-ledger/domain';
import { randomUUID } from 'node:crypto';
import { ResidentNotFound } from '../read/errors';
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
    /** Throws while the log's start-up verification runs (LedgerIntegrity.refuseWhileVerifying). */
    private readonly refuseWhileVerifying: (what: string) => void = () => undefined,
  ) {}

  async erase(asked: string, actor: string, ground: ErasureGround, correlationId: string = randomUUID()): Promise<ErasureOutcome> {
    this.write.refuseWhileUnsafe(); // on an altered ledger (or with a clock that is off) nothing is destroyed or recorded
    this.refuseWhileVerifying('an erasure'); // nor half done: keys destroyed, then a complaint not yet judged met
    await this.readSide.runner.catchUp(); // complaints recorded a moment ago are found too
    const reference = await this.recordedAs(asked);
    if (reference === null) throw new ResidentNotFound(asked);
    const erasedNow = await this.keys.erase(reference, this.clock(), actor, ground);
    const erasedAt = this.keys.erasure(reference)!.erasedAt;
    const complaints = complaintsOfResident(this.readSide.db, reference);
    for (const complaintId of complaints) {
      const command = { type: 'ErasePersonalData', data: { residentReference: reference, erasedAt, ground } } as const;
      await this.write.execute({ complaintId, command, actor, correlationId });
    }
    return { reference, erasedAt, erasedNow, complaints };
  }

  /**
   * The reference the resident was recorded under: the one asked for, normalised as at intake
   * (resident-reference.ts), or as given when it was recorded before references were normalised;
   * null when neither names anyone the ledger knows (no complaint, no key, no erasure).
   */
  private async recordedAs(asked: string): Promise<string | null> {
    const known = async (reference: string) => {
      if (complaintsOfResident(this.readSide.db, reference).length > 0) return true;
      await this.keys.loadSubject(reference); // a store elsewhere (EventStoreDB) is asked first
      return this.keys.knows(reference);
    };
    const normalised = normaliseResidentReference(asked);
    if (await known(normalised)) return normalised;
    return asked !== normalised && (await known(asked)) ? asked : null;
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
