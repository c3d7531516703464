import { keyIdOf, type KeyFileAudit } from '@complaint-ledger/privacy';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import type { LedgerBreak } from './verify-ledger';

/** Residents remembered by stream while verifying (as the verifier's links: a stream let go is read again). */
const SUBJECTS_KEPT = 25_000;

/**
 * The residents' key file checked against the log as verification reads it (decision 0023): every
 * data key an event names is either there and opens as the complaint's resident's, or was destroyed
 * by an erasure the ledger recorded. A key row deleted, swapped or moved is a break of the ledger,
 * named at the first event that used the key.
 */
export class KeyStoreCheck {
  private readonly subjects = new Map<string, string>();
  /** Keys already found sound (there, or erased), so each is judged once per verification. */
  private readonly sound = new Set<string>();

  constructor(
    private readonly audit: KeyFileAudit,
    private readonly readStream: (streamId: string) => Promise<RecordedEvent[]>,
  ) {}

  /** Called by the verifier with each event it found intact. */
  async check(event: RecordedEvent): Promise<LedgerBreak | null> {
    if (!event.streamId.startsWith('complaint-')) return null;
    const ids = keyIdsIn(event.data);
    if (!ids.size) return null;
    const subject = await this.subjectOf(event);
    for (const id of ids) {
      if (this.sound.has(id)) continue;
      const judged = this.audit.judge(id, subject, event.metadata.recordedAt);
      const detail =
        judged.state === 'altered'
          ? judged.detail
          : judged.state === 'erased' && judged.legacy && !(await this.erasedInTheLog(event))
            ? `key ${id} of ${JSON.stringify(subject)} is missing, and the erasure the key file gives for it is not in the log (no PersonalDataErased in ${event.streamId}): the key file was rewritten`
            : null;
      if (detail)
        return { kind: 'key-store-altered', position: event.position, streamId: event.streamId, revision: event.revision, detail };
      if (this.sound.size >= 100_000) this.sound.clear();
      this.sound.add(id);
    }
    return null;
  }

  /**
   * Whether the complaint's own stream records its resident's erasure: an erasure from before
   * destroyed keys were listed excuses a missing key only then, since the key file's rows alone can
   * be rewritten to look like a file from before (its keys deleted, erasures made up). Anywhere in
   * the stream: a complaint erased once, written to again under a new key and erased again records
   * the erasure once (the decider records nothing on a complaint already erased).
   */
  private async erasedInTheLog(event: RecordedEvent): Promise<boolean> {
    const stream = await this.readStream(event.streamId);
    return stream.some((recorded) => recorded.type === 'PersonalDataErased');
  }

  /** The complaint's resident, whose key its personal data is under: its first event names them, and corrections keep them. */
  private async subjectOf(event: RecordedEvent): Promise<string> {
    const known = this.subjects.get(event.streamId);
    if (known !== undefined) return known;
    const first = event.revision === 0 ? event : (await this.readStream(event.streamId))[0];
    const subject = (first?.data as { resident?: { reference?: string } } | undefined)?.resident?.reference ?? event.streamId.slice(10);
    if (this.subjects.size >= SUBJECTS_KEPT) this.subjects.delete(this.subjects.keys().next().value!);
    this.subjects.set(event.streamId, subject);
    return subject;
  }
}

/** The ids of the data keys an event's encrypted values name. */
function keyIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const id = keyIdOf(value);
    if (id) found.add(id);
  } else if (Array.isArray(value)) for (const item of value) keyIdsIn(item, found);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) keyIdsIn(item, found);
  return found;
}
