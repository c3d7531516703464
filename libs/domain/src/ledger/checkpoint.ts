import { DomainError } from '../complaint/errors';

/**
 * A signed checkpoint of the whole ledger: after the event at `position`, `events` events in all,
 * and `head` the ledger chain's hash there (each link binds an event's stream, revision, position
 * and hash to the link before it). The ledger signs it with a key kept apart from the data, so
 * removing, reordering or rewriting anything up to `position` shows, even for someone who can
 * recompute every hash: they cannot sign.
 */
export interface LedgerHead {
  readonly position: number;
  readonly events: number;
  readonly head: string;
}

/**
 * The root of the Merkle tree over the log's first `size` events (RFC 9162, decision 0022), as hex:
 * a checkpoint that carries it is a signed tree head, against which one event's inclusion, or the
 * log's growth between two checkpoints, is proved without the rest of the log.
 */
export interface TreeHead {
  readonly treeSize: number;
  readonly root: string;
}

export interface Checkpoint extends LedgerHead, Partial<TreeHead> {
  /** When it was signed (ISO-8601 UTC). */
  readonly at: string;
  /** Which signing key: the first 16 hex digits of the SHA-256 of its public key (SPKI DER). */
  readonly keyId: string;
  /** Ed25519 over `checkpointStatement(...)`, base64. */
  readonly signature: string;
}

export type LedgerCheckpointed = { readonly type: 'LedgerCheckpointed'; readonly data: Checkpoint };
export type RecordCheckpoint = { readonly type: 'RecordCheckpoint'; readonly data: Checkpoint };

/** The checkpoints' own stream: they are facts of the log like any other, and the chain covers them too. */
export const CHECKPOINT_STREAM = 'ledger-checkpoints';

export type CheckpointState = { readonly last: Checkpoint | null };
export const NO_CHECKPOINT: CheckpointState = { last: null };

export const evolveCheckpoint = (_state: CheckpointState, event: LedgerCheckpointed): CheckpointState => ({ last: event.data });

/**
 * The exact bytes a checkpoint's signature covers. Version 2 adds the tree head (size and root) to
 * version 1's lines; a checkpoint without one was signed before the tree and keeps version 1's bytes,
 * so every checkpoint ever signed still verifies.
 */
export const checkpointStatement = ({ position, events, head, at, treeSize, root }: Omit<Checkpoint, 'keyId' | 'signature'>): string =>
  root === undefined
    ? `complaint-ledger checkpoint v1\nposition ${position}\nevents ${events}\nhead ${head}\nat ${at}\n`
    : `complaint-ledger checkpoint v2\nposition ${position}\nevents ${events}\nhead ${head}\ntree-size ${treeSize}\nroot ${root}\nat ${at}\n`;

/**
 * A checkpoint moves the ledger forward: it covers more than the last one did, never less or the
 * same, so two writers racing to checkpoint record one of them and a replayed one is refused.
 * (Its signature is checked by whoever reads it; the decider only orders facts.)
 */
export function decideCheckpoint({ data }: RecordCheckpoint, state: CheckpointState): LedgerCheckpointed[] | DomainError {
  const last = state.last;
  if (last && (data.position <= last.position || data.events <= last.events)) {
    return new DomainError(
      'CHECKPOINT.NOT_AFTER_LAST',
      'conflict',
      `a checkpoint at position ${data.position} (${data.events} events) does not go past the last one (position ${last.position}, ${last.events} events)`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(data.head))
    return new DomainError('CHECKPOINT.HEAD_INVALID', 'invalid', 'head must be 64 hex digits', { field: 'head' });
  // the tree's leaves are the log's events: the tree a checkpoint signs is the log it covers
  if (data.root !== undefined && (!/^[0-9a-f]{64}$/.test(data.root) || data.treeSize !== data.events))
    return new DomainError('CHECKPOINT.TREE_INVALID', 'invalid', 'a tree head has 64 hex digits of root over as many leaves as events', {
      field: 'root',
    });
  return [{ type: 'LedgerCheckpointed', data }];
}
