import { CHECKPOINT_STREAM, type Checkpoint, type LedgerHead } from '@complaint-ledger/domain';
import { CHAIN_START, linkProblem, UnreadableEvent, type ChainLink, type RecordedEvent } from '@complaint-ledger/event-store';
import type { CheckpointVerifyingKey } from './checkpoint-key';
import { LedgerChain } from './ledger-chain';

/** What was found broken first, and where. */
export interface LedgerBreak {
  readonly kind:
    | 'event-altered' // an event's content no longer matches its own hash
    | 'stream-broken' // a stream's revisions or links do not follow on (an event removed, inserted or moved)
    | 'log-order' // positions do not increase
    | 'checkpoint-mismatch' // the log up to a signed checkpoint is not what was signed
    | 'checkpoint-forged' // a checkpoint's signature does not verify under the ledger's key
    | 'witness-missing' // a checkpoint kept outside the log is not in it
    | 'unreadable'; // the log could not be read at this point
  readonly position: number;
  readonly streamId?: string;
  readonly revision?: number;
  readonly detail: string;
}

export interface LedgerVerdict {
  readonly valid: boolean;
  /** The ledger chain where verification stopped (the end of the log when valid). */
  readonly head: LedgerHead;
  readonly streams: number;
  readonly checkpoints: {
    readonly found: number;
    /** Whose signatures were checked and verified. */
    readonly verified: number;
    readonly latest: (Checkpoint & { readonly signatureChecked: boolean }) | null;
  };
  /** Events after the latest checkpoint: chained and hashed, but not yet under a signature. */
  readonly eventsAfterLatestCheckpoint: number;
  /** The checkpoints' stream's last revision (-1: none yet), for the checkpointer to append after. */
  readonly checkpointRevision: number;
  readonly break: LedgerBreak | null;
}

export interface VerifyOptions {
  /** The ledger's public key; without it signatures are not checked (and the verdict says so). */
  readonly key?: CheckpointVerifyingKey | null;
  /** Checkpoints kept outside the log (the witness file): each must be in the log, unchanged. */
  readonly witnessed?: readonly Checkpoint[];
  readonly pageSize?: number;
}

/** How many recent heads are kept to compare with a checkpoint written a little after the position it covers. */
const RECENT_HEADS = 65_536;

/**
 * Reads the whole log in position order and checks: every event against its own hash, every
 * stream's revisions and links, the order of positions, and every signed checkpoint against the
 * ledger chain at the position it covers, and its signature. Stops at the first break and names it.
 * Read-only: `read` is the store's readAll.
 */
export async function verifyLedger(
  read: (afterPosition: number, limit: number) => Promise<RecordedEvent[]>,
  { key = null, witnessed = [], pageSize = 2_000 }: VerifyOptions = {},
): Promise<LedgerVerdict> {
  const chain = new LedgerChain();
  const streams = new Map<string, ChainLink>();
  const recent = new Map<number, LedgerHead>();
  const checkpoints = { found: 0, verified: 0, latest: null as LedgerVerdict['checkpoints']['latest'] };
  let sinceCheckpoint = 0;
  const inLog = new Set<string>(); // the checkpoints the log holds, by position and head
  const verdict = (found: LedgerBreak | null): LedgerVerdict => ({
    valid: !found,
    head: chain.head,
    streams: streams.size,
    checkpoints: { ...checkpoints },
    eventsAfterLatestCheckpoint: sinceCheckpoint,
    checkpointRevision: streams.get(CHECKPOINT_STREAM)?.revision ?? -1,
    break: found,
  });

  for (let after = -1; ;) {
    let page: RecordedEvent[];
    try {
      page = await read(after, pageSize);
    } catch (error) {
      if (error instanceof UnreadableEvent) {
        const { position, streamId, revision } = error;
        return verdict({ kind: 'unreadable', position, streamId, revision, detail: error.message });
      }
      throw error; // the store could not be read (down, unreachable): that says nothing about the log's integrity
    }
    if (!page.length) break;
    // a synchronous store answers at once: let requests in between pages, so serving goes on meanwhile
    await new Promise((resolve) => setImmediate(resolve));
    for (const event of page) {
      const at = { position: event.position, streamId: event.streamId, revision: event.revision };
      if (!chain.add(event))
        return verdict({ kind: 'log-order', ...at, detail: `position ${event.position} comes after position ${chain.head.position}` });
      const previous = streams.get(event.streamId) ?? CHAIN_START;
      const problem = linkProblem(event, previous);
      if (problem === 'order')
        return verdict({ kind: 'stream-broken', ...at, detail: `revision ${event.revision} follows revision ${previous.revision}` });
      if (problem === 'link') {
        const detail = `revision ${event.revision} does not link to revision ${previous.revision}'s hash`;
        return verdict({ kind: 'stream-broken', ...at, detail });
      }
      if (problem === 'content')
        return verdict({ kind: 'event-altered', ...at, detail: `revision ${event.revision}'s content does not match its hash` });
      streams.set(event.streamId, { revision: event.revision, hash: event.metadata.hash });
      recent.set(event.position, chain.head);
      if (recent.size > RECENT_HEADS) recent.delete(recent.keys().next().value!);
      sinceCheckpoint += 1;

      if (event.streamId === CHECKPOINT_STREAM && event.type === 'LedgerCheckpointed') {
        const checkpoint = event.data as Checkpoint;
        checkpoints.found += 1;
        // with the ledger's key, every checkpoint must verify under it: one signed by any other key is a forgery
        // (after a key rotation, the older part of the log is verified with the older key)
        if (key && !key.verifies(checkpoint)) {
          const detail =
            checkpoint.keyId === key.keyId
              ? `the checkpoint at position ${checkpoint.position} carries a signature that does not verify under the ledger's key`
              : `the checkpoint at position ${checkpoint.position} is signed by key ${checkpoint.keyId}, not the ledger's key ${key.keyId}`;
          return verdict({ kind: 'checkpoint-forged', ...at, detail });
        }
        if (key) checkpoints.verified += 1;
        const there = recent.get(checkpoint.position);
        if (!there || there.head !== checkpoint.head || there.events !== checkpoint.events) {
          return verdict({
            kind: 'checkpoint-mismatch',
            ...at,
            detail:
              `the log up to position ${checkpoint.position} is not what the checkpoint signed at ${checkpoint.at} covers ` +
              `(${checkpoint.events} events, head ${checkpoint.head.slice(0, 12)}…; found ${there ? `${there.events} events, head ${there.head.slice(0, 12)}…` : 'no event at that position'}): ` +
              `an event at or before it was removed, added, moved or rewritten since`,
          });
        }
        checkpoints.latest = { ...checkpoint, signatureChecked: !!key };
        inLog.add(`${checkpoint.position}|${checkpoint.head}`);
        sinceCheckpoint = 0;
      }
    }
    after = page.at(-1)!.position;
  }

  // every witnessed checkpoint must be in the log as it was signed: a log cut back, or rebuilt, lost it
  for (const checkpoint of witnessed) {
    if (!inLog.has(`${checkpoint.position}|${checkpoint.head}`)) {
      return verdict({
        kind: 'witness-missing',
        position: checkpoint.position,
        detail: `the checkpoint signed at ${checkpoint.at} over ${checkpoint.events} events (position ${checkpoint.position}) is kept outside the log, and the log does not hold it: the log was cut back or replaced`,
      });
    }
  }
  return verdict(null);
}
