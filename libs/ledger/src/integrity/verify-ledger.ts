import { CHECKPOINT_STREAM, type Checkpoint, type LedgerHead, type TreeHead } from '@complaint-ledger/domain';
import {
  authenticationProblem,
  CHAIN_START,
  claimsAuthentication,
  GENESIS_HASH,
  linkProblem,
  UnreadableEvent,
  type ChainLink,
  type EventKeyRing,
  type RecordedEvent,
} from '@complaint-ledger/event-store';
import type { CheckpointVerifyingKey } from './checkpoint-key';
import { LedgerChain } from './ledger-chain';
import { eventLeaf } from './merkle/event-leaf';
import type { MerkleFrontier } from './merkle/frontier';
import { RecentRoots } from './merkle/recent-roots';
import { RecentHeads } from './recent-heads';
import { frontierFrom, frontierState, type FrontierState } from './merkle/frontier-state';

/** What was found broken first, and where. */
export interface LedgerBreak {
  readonly kind:
    | 'event-altered' // an event's content no longer matches its own hash
    | 'event-unauthenticated' // an event this ledger did not write: no MAC where one is due, or one that does not verify
    | 'stream-broken' // a stream's revisions or links do not follow on (an event removed, inserted or moved)
    | 'log-order' // positions do not increase
    | 'checkpoint-mismatch' // the log up to a signed checkpoint is not what was signed
    | 'checkpoint-forged' // a checkpoint's signature does not verify under the ledger's key
    | 'witness-missing' // a checkpoint kept outside the log (or verified before) is not in it
    | 'stream-index' // the log's index of streams files an event under another stream than its own
    | 'key-store-altered' // a data key deleted, swapped or moved in the residents' key file, or assigned to another resident in EventStoreDB
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
  readonly authentication: Authentication;
  readonly break: LedgerBreak | null;
}

/** How far the events' MACs were checked (decision 0023). */
export interface Authentication {
  /** Whether the MACs were checked (with the event keys), or only that no event after the first authenticated one names none. */
  readonly checked: boolean;
  /** The position of the first authenticated event; every event from there on must authenticate. Null: none met. */
  readonly from: number | null;
  /** Events met naming no key, all before `from`: written before events were authenticated. */
  readonly unauthenticated: number;
}

/** Where a verification starts: the log's beginning, or the state just after a checkpoint verified earlier. */
export interface VerifiedState {
  readonly head: LedgerHead;
  readonly streams: number;
  readonly checkpoints: LedgerVerdict['checkpoints'];
  readonly checkpointRevision: number;
  /** Where authenticated events began, and how many came before (decision 0023). */
  readonly authenticatedFrom: number | null;
  readonly unauthenticated: number;
  /** The Merkle tree over the events verified (decision 0022): its size and right edge, so a later verification carries it on. */
  readonly tree?: FrontierState;
}

export interface VerifierOptions {
  /** The ledger's public key; without it signatures are not checked (and the verdict says so). */
  readonly key?: CheckpointVerifyingKey | null;
  /** The event keys; without them MACs are not checked, only that no event after an authenticated one names no key. */
  readonly eventKeys?: EventKeyRing | null;
  /**
   * Reads one stream. With it, the verifier keeps only the `streamCache` most recently used
   * streams' last links in memory and reads a stream again when it meets one it has let go (or
   * one whose earlier events come before where this verification started), so memory stays flat
   * however many complaints the ledger holds.
   */
  readonly readStream?: (streamId: string) => Promise<RecordedEvent[]>;
  readonly streamCache?: number;
  /** Carry on from a state verified earlier (see verified-mark.ts) instead of the log's start. */
  readonly from?: VerifiedState;
  /** What else each intact event must answer for (the residents' key file: KeyStoreCheck). */
  readonly inspect?: (event: RecordedEvent) => Promise<LedgerBreak | null>;
}

/**
 * Streams whose last link is kept (about 340 bytes each). A complaint's events are days or weeks
 * apart, so the streams met between two of them are the complaints open meanwhile: tens of
 * thousands even for a landlord group. One let go is read again, costing a read, not a verdict.
 */
const STREAMS_KEPT = 25_000;

/** How many recent heads are kept to compare with a checkpoint written a little after the position it covers. */
const RECENT_HEADS = 65_536;
const START: VerifiedState = {
  head: { position: -1, events: 0, head: GENESIS_HASH },
  streams: 0,
  checkpoints: { found: 0, verified: 0, latest: null },
  checkpointRevision: -1,
  authenticatedFrom: null,
  unauthenticated: 0,
};

/**
 * Checks the log one event at a time, in position order: every event against its own hash, every
 * stream's revisions and links, the order of positions, and every signed checkpoint against the
 * ledger chain at the position it covers, and its signature. `check` names the first break.
 * Used whole (start-up, `npm run verify`, the auditor's endpoint) and as the log grows (the
 * checkpointer feeds it every new event, so what it signs was verified first).
 */
export class LedgerVerifier {
  private readonly chain: LedgerChain;
  private readonly links = new Map<string, ChainLink>(); // in least recently used order
  private readonly recent = new RecentHeads(RECENT_HEADS);
  /** The tree over the log, fed each event verified (what a checkpoint's root is compared with and signed from). */
  private readonly frontier: MerkleFrontier;
  /** The tree's roots at recent sizes: a checkpoint is met a little after the size it signed. */
  private readonly recentRoots: RecentRoots;
  private readonly inLog = new Set<string>(); // the checkpoints met, by position and head
  private streams: number;
  private checkpoints: { found: number; verified: number; latest: LedgerVerdict['checkpoints']['latest'] };
  private sinceCheckpoint = 0;
  private checkpointRevision: number;
  private readonly key: CheckpointVerifyingKey | null;
  private readonly eventKeys: EventKeyRing | null;
  private authenticatedFrom: number | null;
  private unauthenticated: number;
  private readonly cacheSize: number;
  /** The state just after the latest checkpoint met, for the next start to carry on from. */
  lastCheckpointState: (VerifiedState & { readonly checkpointEventHash: string; readonly position: number }) | null = null;

  constructor(private readonly options: VerifierOptions = {}) {
    const from = options.from ?? START;
    this.chain = new LedgerChain(from.head);
    this.recent.add(from.head);
    this.frontier = frontierFrom(from.tree);
    if (this.frontier.size !== from.head.events)
      throw new Error(`a verified state of ${from.head.events} events carries a tree of ${this.frontier.size}`);
    // every root as far back as the heads kept (its window less one edge's leaves is always there)
    this.recentRoots = new RecentRoots(this.frontier, RECENT_HEADS + 1_024, 1_024);
    this.streams = from.streams;
    this.checkpoints = { ...from.checkpoints };
    this.checkpointRevision = from.checkpointRevision;
    this.key = options.key ?? null;
    this.eventKeys = options.eventKeys ?? null;
    this.authenticatedFrom = from.authenticatedFrom;
    this.unauthenticated = from.unauthenticated;
    this.cacheSize = options.readStream ? (options.streamCache ?? STREAMS_KEPT) : Infinity;
  }

  get head(): LedgerHead {
    return this.chain.head;
  }

  /** The Merkle tree over the events verified so far: its size and root, what a checkpoint signs beside the head. */
  get tree(): TreeHead {
    return { treeSize: this.frontier.size, root: this.frontier.root().toString('hex') };
  }

  /** Whether a checkpoint (by position and head) was met in the log this verifier read. */
  met(checkpoint: Checkpoint): boolean {
    return this.inLog.has(`${checkpoint.position}|${checkpoint.head}`);
  }

  async check(event: RecordedEvent): Promise<LedgerBreak | null> {
    const at = { position: event.position, streamId: event.streamId, revision: event.revision };
    if (event.position <= this.chain.head.position)
      return { kind: 'log-order', ...at, detail: `position ${event.position} comes after position ${this.chain.head.position}` };
    const previous = await this.previousLink(event);
    if ('kind' in previous) return previous;
    this.chain.add(event);
    const problem = linkProblem(event, previous);
    if (problem === 'order')
      return { kind: 'stream-broken', ...at, detail: `revision ${event.revision} follows revision ${previous.revision}` };
    if (problem === 'link')
      return { kind: 'stream-broken', ...at, detail: `revision ${event.revision} does not link to revision ${previous.revision}'s hash` };
    if (problem === 'content')
      return { kind: 'event-altered', ...at, detail: `revision ${event.revision}'s content does not match its hash` };
    const forged = this.authenticationBreak(event);
    if (forged) return forged;
    const inspected = await this.options.inspect?.(event);
    if (inspected) return inspected;
    this.remember(event.streamId, { revision: event.revision, hash: event.metadata.hash });
    if (event.revision === 0) this.streams += 1;
    this.recent.add(this.chain.head);
    this.recentRoots.added(this.frontier, this.frontier.add(eventLeaf(event))[0]!.hash);
    this.sinceCheckpoint += 1;
    if (event.streamId === CHECKPOINT_STREAM) {
      this.checkpointRevision = event.revision;
      if (event.type === 'LedgerCheckpointed') return this.checkCheckpoint(event, at);
    }
    return null;
  }

  verdict(found: LedgerBreak | null): LedgerVerdict {
    return {
      valid: !found,
      head: this.chain.head,
      streams: this.streams,
      checkpoints: { ...this.checkpoints },
      eventsAfterLatestCheckpoint: this.sinceCheckpoint,
      checkpointRevision: this.checkpointRevision,
      authentication: { checked: !!this.eventKeys, from: this.authenticatedFrom, unauthenticated: this.unauthenticated },
      break: found,
    };
  }

  /** The position of the first authenticated event this verifier met (or carried on from), null before one. */
  get authenticationBegan(): number | null {
    return this.authenticatedFrom;
  }

  /** The last link this verifier holds for a stream (null when it has not met it, or has let it go). */
  knownLink(streamId: string): ChainLink | null {
    return this.links.get(streamId) ?? null;
  }

  /**
   * Events written before events were authenticated name no key and are accepted, but only ahead of
   * the first that does: from there on every event must authenticate (decision 0023).
   */
  private authenticationBreak(event: RecordedEvent): LedgerBreak | null {
    const at = { position: event.position, streamId: event.streamId, revision: event.revision };
    const problem = authenticationProblem(event, this.eventKeys, this.authenticatedFrom !== null);
    if (problem) return { kind: 'event-unauthenticated', ...at, detail: unauthenticatedDetail(event, problem, this.authenticatedFrom) };
    if (!claimsAuthentication(event)) this.unauthenticated += 1;
    else this.authenticatedFrom ??= event.position;
    return null;
  }

  private checkCheckpoint(event: RecordedEvent, at: Pick<LedgerBreak, 'position' | 'streamId' | 'revision'>): LedgerBreak | null {
    const checkpoint = event.data as Checkpoint;
    const key = this.key;
    this.checkpoints.found += 1;
    // with the ledger's key, every checkpoint must verify under it: one signed by any other key is a forgery
    // (after a key rotation, the older part of the log is verified with the older key)
    if (key && !key.verifies(checkpoint)) {
      const detail =
        checkpoint.keyId === key.keyId
          ? `the checkpoint at position ${checkpoint.position} carries a signature that does not verify under the ledger's key`
          : `the checkpoint at position ${checkpoint.position} is signed by key ${checkpoint.keyId}, not the ledger's key ${key.keyId}`;
      return { kind: 'checkpoint-forged', ...at, detail };
    }
    if (key) this.checkpoints.verified += 1;
    const there = this.recent.at(checkpoint.position);
    if (!there || there.head !== checkpoint.head || there.events !== checkpoint.events) {
      return {
        kind: 'checkpoint-mismatch',
        ...at,
        detail:
          `the log up to position ${checkpoint.position} is not what the checkpoint signed at ${checkpoint.at} covers ` +
          `(${checkpoint.events} events, head ${checkpoint.head.slice(0, 12)}…; found ${there ? `${there.events} events, head ${there.head.slice(0, 12)}…` : 'no event at that position'}): ` +
          `an event at or before it was removed, added, moved or rewritten since`,
      };
    }
    const treeProblem = this.treeProblem(checkpoint);
    if (treeProblem) return { kind: 'checkpoint-mismatch', ...at, detail: treeProblem };
    this.checkpoints.latest = { ...checkpoint, signatureChecked: !!key };
    this.inLog.add(`${checkpoint.position}|${checkpoint.head}`);
    this.sinceCheckpoint = 0;
    this.lastCheckpointState = {
      head: this.chain.head,
      position: event.position,
      streams: this.streams,
      checkpoints: { ...this.checkpoints },
      checkpointRevision: event.revision,
      checkpointEventHash: event.metadata.hash,
      authenticatedFrom: this.authenticatedFrom,
      unauthenticated: this.unauthenticated,
      tree: frontierState(this.frontier),
    };
    return null;
  }

  /** A signed tree head (checkpoint v2) must be the root of the tree over the log it covers. */
  private treeProblem(checkpoint: Checkpoint): string | null {
    if (checkpoint.root === undefined) return null; // signed before the tree (v1)
    // the chain's head there has already been matched: the log up to the position holds `events` events
    const root =
      checkpoint.treeSize === checkpoint.events ? this.recentRoots.rootAt(this.frontier, checkpoint.treeSize)?.toString('hex') : null;
    return root === checkpoint.root
      ? null
      : `the Merkle tree over the log's first ${checkpoint.treeSize} events is not the one the checkpoint signed at ${checkpoint.at} ` +
          `(root ${checkpoint.root.slice(0, 12)}…; found ${root ? `${root.slice(0, 12)}…` : 'no such tree'}): an event was removed, added, moved or rewritten since`;
  }

  /** The link an event must follow: its stream's last one, from memory or, once let go, from the store. */
  private async previousLink(event: RecordedEvent): Promise<ChainLink | LedgerBreak> {
    const known = this.links.get(event.streamId);
    if (known || event.revision === 0 || !this.options.readStream) return known ?? CHAIN_START;
    // a stream not met since this verification started (or let go): its earlier events are re-checked from the store
    let events: RecordedEvent[];
    try {
      events = await this.options.readStream(event.streamId);
    } catch (error) {
      if (!(error instanceof UnreadableEvent)) throw error;
      return unreadableBreak(error);
    }
    let link = CHAIN_START;
    for (const earlier of events) {
      if (earlier.revision >= event.revision) break;
      const at = { position: earlier.position, streamId: earlier.streamId, revision: earlier.revision };
      const problem = linkProblem(earlier, link);
      if (problem === 'content')
        return { kind: 'event-altered', ...at, detail: `revision ${earlier.revision}'s content does not match its hash` };
      if (problem || earlier.position >= event.position)
        return { kind: 'stream-broken', ...at, detail: `revision ${earlier.revision} does not follow on in its stream` };
      const since = this.authenticatedFrom;
      const forged = authenticationProblem(earlier, this.eventKeys, since !== null && earlier.position > since);
      if (forged) return { kind: 'event-unauthenticated', ...at, detail: unauthenticatedDetail(earlier, forged, since) };
      link = { revision: earlier.revision, hash: earlier.metadata.hash };
    }
    return link;
  }

  private remember(streamId: string, link: ChainLink): void {
    this.links.delete(streamId);
    this.links.set(streamId, link);
    if (this.links.size > this.cacheSize) this.links.delete(this.links.keys().next().value!);
  }
}

/** A row that cannot be read as an event, or that the index of streams files under another stream. */
export function unreadableBreak(error: UnreadableEvent): LedgerBreak {
  const { position, streamId, revision } = error;
  return { kind: error.kind === 'misfiled' ? 'stream-index' : 'unreadable', position, streamId, revision, detail: error.message };
}

function unauthenticatedDetail(event: RecordedEvent, problem: 'unauthenticated' | 'unknown-key' | 'bad-mac', since: number | null): string {
  const { revision } = event;
  const { macKeyId } = event.metadata;
  if (problem === 'unauthenticated')
    return `revision ${revision} carries no MAC, though every event since position ${since} is authenticated: this ledger did not write it`;
  if (problem === 'unknown-key')
    return `revision ${revision} names event key ${macKeyId}, which is not among this ledger's event keys (LEDGER_EVENT_KEY_FILE): written by someone else, or the key file is missing a key`;
  return `revision ${revision}'s MAC does not verify under event key ${macKeyId ?? '(none named)'}: this ledger did not write it`;
}

export interface VerifyOptions extends VerifierOptions {
  /** Checkpoints kept outside the log (the witness file): each must be in the log, unchanged. */
  readonly witnessed?: readonly Checkpoint[];
  /**
   * A copy of the log (a backup) ends where it was taken, and the witness goes on: checkpoints
   * witnessed beyond the copy's end are not asked of it. Those within it still must be there.
   */
  readonly witnessMayRunAhead?: boolean;
  readonly pageSize?: number;
}

/**
 * Reads the log (from its start, or from a state verified earlier) to its end through the
 * verifier, and stops at the first break and names it. Read-only: `read` is the store's readAll.
 */
export async function verifyLedger(
  read: (afterPosition: number, limit: number) => Promise<RecordedEvent[]>,
  options: VerifyOptions = {},
): Promise<LedgerVerdict> {
  const verifier = new LedgerVerifier(options);
  const verdict = await readThrough(verifier, read, options.pageSize ?? 2_000);
  if (verdict.break || options.from) return verdict; // from a mark, the witness was checked against the checkpoints' stream
  const end = verdict.head.position;
  const witnessed = (options.witnessed ?? []).filter((checkpoint) => !options.witnessMayRunAhead || checkpoint.position <= end);
  const missing = witnessProblem(witnessed, (checkpoint) => verifier.met(checkpoint));
  return missing ? verifier.verdict(missing) : verdict;
}

/** Feeds the log after the verifier's head to it; the verdict at the end, or at the first break. */
export async function readThrough(
  verifier: LedgerVerifier,
  read: (afterPosition: number, limit: number) => Promise<RecordedEvent[]>,
  pageSize = 2_000,
): Promise<LedgerVerdict> {
  for (let after = verifier.head.position; ;) {
    let page: RecordedEvent[];
    try {
      page = await read(after, pageSize);
    } catch (error) {
      if (error instanceof UnreadableEvent) return verifier.verdict(unreadableBreak(error));
      throw error; // the store could not be read (down, unreachable): that says nothing about the log's integrity
    }
    if (!page.length) return verifier.verdict(null);
    // a synchronous store answers at once: let requests in between pages, so serving goes on meanwhile
    await new Promise((resolve) => setImmediate(resolve));
    for (const event of page) {
      const found = await verifier.check(event);
      if (found) return verifier.verdict(found);
    }
    after = page.at(-1)!.position;
  }
}

/** Every witnessed checkpoint must be in the log as it was signed: a log cut back, or rebuilt, lost it. */
export function witnessProblem(witnessed: readonly Checkpoint[], inLog: (checkpoint: Checkpoint) => boolean): LedgerBreak | null {
  const missing = witnessed.find((checkpoint) => !inLog(checkpoint));
  return missing
    ? {
        kind: 'witness-missing',
        position: missing.position,
        detail: `the checkpoint signed at ${missing.at} over ${missing.events} events (position ${missing.position}) is kept outside the log, and the log does not hold it: the log was cut back or replaced`,
      }
    : null;
}
