import type { StoreUnavailable } from '@complaint-ledger/event-store';
import type { KeyStoreAltered } from './key-binding';

export interface Erasure {
  readonly subject: string;
  readonly erasedAt: string;
  readonly actor: string;
  readonly reason: string;
}

/**
 * Where residents' data keys live (decision 0028): a SQLite file on one host (DataKeyStore), or
 * streams in EventStoreDB that every replica shares (EventStoreKeyStore, in the core). The cipher
 * works synchronously, from memory: `keyFor` and `find` never wait. A store whose keys are
 * elsewhere fetches them first, when a caller asks (`loadSubject` before sealing a resident's data,
 * `load` before revealing values sealed under these ids); a store that reads its own file at once
 * answers those with null.
 */
export interface KeyStore {
  /** The subject's current key (made on first use, or afresh after an erasure), with its id. */
  keyFor(subject: string, now: string): { id: string; key: Buffer };
  /** The key with this id, or null when it is not (or no longer) there: erased, never made, or not loaded. */
  find(id: string): Buffer | null;
  /** Fetches the keys with these ids that are not in memory (or were remembered too long); null when there is nothing to wait for. */
  load(ids: Iterable<string>): Promise<void> | null;
  /** Fetches the subject's current key and latest erasure, so `keyFor` and `erasure` answer from memory; null when there is nothing to wait for. */
  loadSubject(subject: string): Promise<void> | null;
  /** Null when every key `keyFor` has made is durably stored; else a promise that settles when they are (rejected when they cannot be). */
  durable(): Promise<void> | null;
  /** Destroys every key of the subject and remembers the erasure; false when there was none left (already erased). */
  erase(subject: string, erasedAt: string, actor: string, reason: string): boolean | Promise<boolean>;
  /** The subject's latest erasure, if any (after `loadSubject`, for a store that needs it). */
  erasure(subject: string): Erasure | null;
  /**
   * Whether the store knows the subject at all: a key of theirs or an erasure the ledger recorded
   * (after `loadSubject`, for a store that needs it). An erasure of nobody says so (decision 0023).
   */
  knows(subject: string): boolean;
  /**
   * Whether a key missing from the store is accounted for by an erasure the ledger recorded: a
   * missing key that is not is shown withheld, as tampering, never as erased (decision 0023).
   */
  accountsFor(id: string): boolean;
  /** Set once the store was found altered (a key that does not open as its resident's); until a restart readiness says so. */
  readonly alteration: KeyStoreAltered | null;
  /** Tells `listener` whenever the store is found altered. */
  onAltered(listener: (error: KeyStoreAltered) => void): () => void;
  /** Why the store cannot be trusted with new keys now, or null: what readiness reports. */
  failure(): StoreUnavailable | null;
  close(): void;
}
