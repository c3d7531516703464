import { CHECKPOINT_STREAM, type Checkpoint } from '@complaint-ledger/domain';
import { authenticationProblem, CHAIN_START, linkProblem, type EventKeyRing, type RecordedEvent } from '@complaint-ledger/event-store';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CheckpointSigningKey, CheckpointVerifyingKey } from './checkpoint-key';
import { LedgerVerifier, readThrough, witnessProblem, type LedgerBreak, type LedgerVerdict, type VerifiedState } from './verify-ledger';

/**
 * Where the ledger's last verification got to: the verifier's state just after a checkpoint it
 * verified (the checkpoint event's own position and hash, the ledger chain there, the counts),
 * signed with the ledger's key. The next start verifies only what came after it, so start-up
 * does not grow with the ledger (decision 0020).
 *
 * It is signed so that whoever can change the data folder cannot point it past what they
 * altered: a mark that does not verify is ignored (the whole log is verified instead). Putting
 * back an older genuine mark only makes the next start verify more.
 */
export interface VerifiedMark extends VerifiedState {
  /** The checkpoint event's own position in the log (the state is the one just after it). */
  readonly position: number;
  readonly checkpointEventHash: string;
  readonly verifiedAt: string;
  readonly keyId: string;
  readonly signature: string;
}

type Unsigned = Omit<VerifiedMark, 'keyId' | 'signature'>;

// v3: where authenticated events began (decision 0023) and the Merkle tree's right edge (decision 0024), signed with
// the rest, the next start carrying both on from it; a v1 or v2 mark no longer verifies, and costs one whole verification
const statementOf = (mark: Unsigned): string =>
  `complaint-ledger verified-mark v3\n${JSON.stringify({
    position: mark.position,
    checkpointEventHash: mark.checkpointEventHash,
    checkpointRevision: mark.checkpointRevision,
    head: { position: mark.head.position, events: mark.head.events, head: mark.head.head },
    streams: mark.streams,
    checkpoints: mark.checkpoints,
    authenticatedFrom: mark.authenticatedFrom,
    unauthenticated: mark.unauthenticated,
    verifiedAt: mark.verifiedAt,
    ...(mark.tree ? { tree: { size: mark.tree.size, hashes: mark.tree.hashes } } : {}),
  })}\n`;

/** Writes the mark (a new file renamed over the old, so a crash leaves one or the other). */
export function writeMark(path: string, state: Omit<Unsigned, 'verifiedAt'>, signing: CheckpointSigningKey, verifiedAt: string): void {
  const unsigned: Unsigned = { ...state, verifiedAt };
  const mark: VerifiedMark = { ...unsigned, ...signing.signStatement(statementOf(unsigned)) };
  writeFileSync(`${path}.new`, `${JSON.stringify(mark, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

/** The mark, if there is one this key signed; otherwise why not (for the log). */
export function readMark(path: string, key: CheckpointVerifyingKey): { mark: VerifiedMark } | { mark: null; why: string } {
  if (!existsSync(path)) return { mark: null, why: 'no earlier verification recorded' };
  let mark: VerifiedMark;
  try {
    mark = JSON.parse(readFileSync(path, 'utf8')) as VerifiedMark;
  } catch {
    return { mark: null, why: `${path} cannot be read as a verified mark` };
  }
  // a mark of an older form is signed as that form, so it is told by what it lacks, before its signature is checked
  if (!mark.tree)
    return { mark: null, why: `${path} was written before the Merkle tree over the log, which only a whole verification builds` };
  if (mark.authenticatedFrom === undefined)
    return { mark: null, why: `${path} was written before authenticated events, where they begin only a whole verification finds` };
  if (!key.verifiesStatement(statementOf(mark), mark)) return { mark: null, why: `${path} is not signed by the ledger's key` };
  return { mark };
}

export interface LogReader {
  readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]>;
  readStream(streamId: string): Promise<RecordedEvent[]>;
}

const brokenAt = (mark: VerifiedMark, found: LedgerBreak): LedgerVerdict => ({
  valid: false,
  head: mark.head,
  streams: mark.streams,
  checkpoints: mark.checkpoints,
  eventsAfterLatestCheckpoint: 0,
  checkpointRevision: mark.checkpointRevision,
  authentication: { checked: false, from: mark.authenticatedFrom, unauthenticated: mark.unauthenticated },
  break: found,
});

/**
 * Verifies the log after a mark: first that the checkpoint it stands on is still in the log as
 * it was (so a log cut back or replaced is noticed however little follows), with the
 * checkpoints' stream whole and every witnessed checkpoint in it; then every event after it, as a
 * whole verification would, re-checking from the store each stream those events continue.
 */
export async function verifySinceMark(
  log: LogReader,
  mark: VerifiedMark,
  options: { key: CheckpointVerifyingKey; witnessed?: readonly Checkpoint[]; eventKeys?: EventKeyRing | null },
  verifier = new LedgerVerifier({
    key: options.key,
    eventKeys: options.eventKeys,
    readStream: (streamId) => log.readStream(streamId),
    from: mark,
  }),
): Promise<LedgerVerdict> {
  const found = await markProblem(log, mark, options.witnessed ?? [], options.eventKeys);
  if (found) return brokenAt(mark, found);
  return readThrough(verifier, (after, limit) => log.readAll(after, limit));
}

/** What is wrong with the ground a mark stands on: the checkpoints' stream, the mark's checkpoint in it, the witness. */
export async function markProblem(
  log: LogReader,
  mark: VerifiedMark,
  witnessed: readonly Checkpoint[],
  eventKeys?: EventKeyRing | null,
): Promise<LedgerBreak | null> {
  const events = await log.readStream(CHECKPOINT_STREAM);
  let link = CHAIN_START;
  const since = mark.authenticatedFrom;
  for (const event of events) {
    const problem = linkProblem(event, link);
    const at = { position: event.position, streamId: event.streamId, revision: event.revision };
    if (problem === 'content')
      return { kind: 'event-altered', ...at, detail: `revision ${event.revision}'s content does not match its hash` };
    if (problem) return { kind: 'stream-broken', ...at, detail: `revision ${event.revision} does not follow on in its stream` };
    if (authenticationProblem(event, eventKeys, since !== null && event.position >= since))
      return { kind: 'event-unauthenticated', ...at, detail: `checkpoint revision ${event.revision} was not written by this ledger` };
    link = { revision: event.revision, hash: event.metadata.hash };
  }
  const standing = events[mark.checkpointRevision];
  if (!standing || standing.position !== mark.position || standing.metadata.hash !== mark.checkpointEventHash) {
    const covered = mark.checkpoints.latest;
    return {
      kind: 'witness-missing',
      position: mark.position,
      detail: `the checkpoint this ledger verified at ${mark.verifiedAt} (${covered?.events ?? '?'} events, position ${covered?.position ?? '?'}) is no longer in the log as it was: the log was cut back or replaced`,
    };
  }
  const inLog = new Set(events.filter((event) => event.type === 'LedgerCheckpointed').map((event) => keyOf(event.data as Checkpoint)));
  return witnessProblem(witnessed, (checkpoint) => inLog.has(keyOf(checkpoint)));
}

const keyOf = (checkpoint: Checkpoint) => `${checkpoint.position}|${checkpoint.head}`;
