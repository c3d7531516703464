import { CHECKPOINT_STREAM, type Checkpoint, type TreeHead } from '@complaint-ledger/domain';
import type { EventStore, RecordedEvent } from '@complaint-ledger/event-store';
import { eventLeaf } from '../integrity/merkle/event-leaf';
import { leafHash } from '../integrity/merkle/hashes';
import { consistencyProofProblem, inclusionProofProblem } from '../integrity/merkle/verify-proofs';
import type { LogTree } from './log-tree';

/** A checkpoint that signs the tree over the log (statement v2): the head proofs are made against. */
export type SignedTreeHead = Checkpoint & TreeHead;

/** That an event is leaf `leafIndex` of the tree of `treeSize` leaves: its siblings' hashes (hex), from the leaf up. */
export interface EventInclusion {
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly path: string[];
}

export interface Consistency {
  readonly from: SignedTreeHead;
  readonly to: SignedTreeHead;
  /** RFC 9162 §2.1.4's proof that the first tree is where the second began (hex). */
  readonly path: string[];
}

/** No signed tree head covers the events asked about yet (this process signs none, or none is due): ask again after the next checkpoint. */
export class NotYetSigned extends Error {
  /** `position` null: this ledger has no signing key at all. */
  constructor(position: number | null) {
    super(
      position === null
        ? 'this ledger has no checkpoint key (LEDGER_SIGNING_KEY_FILE): it signs no tree heads, and a proof needs one'
        : `no signed tree head covers position ${position} yet: this process signs none; ask again after the next checkpoint`,
    );
    this.name = 'NotYetSigned';
  }
}

/** No signed tree head of that size: consistency proofs are between checkpoints. */
export class NoSuchTreeHead extends Error {
  constructor(readonly size: number) {
    super(`no checkpoint signs a tree of ${size} events`);
    this.name = 'NoSuchTreeHead';
  }
}

/**
 * Proofs against the ledger's signed tree heads (decision 0024): that an event is in the log a
 * checkpoint signed, and that a later checkpoint's log begins with an earlier one's. Made from
 * the tree kept beside the log, and checked against the signed roots before they are handed out,
 * so a damaged tree file is found here rather than by whoever relies on the proof.
 */
export class LedgerProofs {
  constructor(
    private readonly store: EventStore,
    private readonly tree: LogTree,
    /** Signs a checkpoint now over what is unsigned, where this process signs (the integrity watch's tick). */
    private readonly signNow: () => Promise<unknown>,
  ) {}

  /** Every signed tree head in the log, oldest first. */
  async signedHeads(): Promise<SignedTreeHead[]> {
    const events = await this.store.readStream(CHECKPOINT_STREAM);
    return events
      .filter((event) => event.type === 'LedgerCheckpointed')
      .map((event) => event.data as Checkpoint)
      .filter((checkpoint): checkpoint is SignedTreeHead => checkpoint.root !== undefined);
  }

  /** The latest signed tree head covering `position`, signing one first if none does yet. */
  async headCovering(position: number): Promise<SignedTreeHead> {
    const covering = async () => (await this.signedHeads()).filter((head) => head.position >= position).at(-1);
    const found = (await covering()) ?? (await this.signNow().then(covering));
    if (!found) throw new NotYetSigned(position);
    return found;
  }

  /** Each event's inclusion proof in the tree `head` signed, each checked against its root. */
  async inclusions(events: readonly RecordedEvent[], head: SignedTreeHead): Promise<EventInclusion[]> {
    await this.tree.growTo(head.treeSize);
    const root = Buffer.from(head.root, 'hex');
    return events.map((event) => {
      const leafIndex = this.tree.leafOf(event.position);
      if (leafIndex === null) throw new Error(`the tree file has no leaf for position ${event.position}`);
      const proof = this.tree.inclusionProof(leafIndex, head.treeSize);
      const problem = inclusionProofProblem(leafHash(eventLeaf(event)), proof, root);
      if (problem) throw damaged(problem);
      return {
        position: event.position,
        streamId: event.streamId,
        revision: event.revision,
        leafIndex,
        treeSize: head.treeSize,
        path: hex(proof.path),
      };
    });
  }

  /** That the log signed at `fromSize` events is where the log signed at `toSize` began. */
  async consistency(fromSize: number, toSize: number): Promise<Consistency> {
    const heads = await this.signedHeads();
    const from = heads.find((head) => head.treeSize === fromSize);
    const to = heads.find((head) => head.treeSize === toSize);
    if (!from) throw new NoSuchTreeHead(fromSize);
    if (!to) throw new NoSuchTreeHead(toSize);
    await this.tree.growTo(toSize);
    const proof = this.tree.consistencyProof(fromSize, toSize);
    const problem = consistencyProofProblem(proof, Buffer.from(from.root, 'hex'), Buffer.from(to.root, 'hex'));
    if (problem) throw damaged(problem);
    return { from, to, path: hex(proof.path) };
  }
}

const hex = (path: readonly Uint8Array[]) => path.map((hash) => Buffer.from(hash).toString('hex'));

const damaged = (problem: string) =>
  new Error(`the tree file beside the log disagrees with a signed root (${problem}): delete merkle.sqlite, it is grown again from the log`);
