import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { StoreUnavailable, WrongExpectedRevision, type EventStore, type NewEvent, type RecordedEvent } from '@complaint-ledger/event-store';
import { KeyStoreAltered, unwrapKey, wrapKey, type Erasure, type KeyStore } from '@complaint-ledger/privacy';

/**
 * A key's own stream: the key wrapped by the master key and bound to its resident and id
 * (`DataKeyMade`), and, after each master-key rotation, re-wrapped under the new one
 * (`DataKeyRewrapped`, the stream truncated before it: decision 0030). The last event is the key.
 */
export const KEY_STREAM_PREFIX = 'data-key-';
export const keyStream = (keyId: string): string => `${KEY_STREAM_PREFIX}${keyId}`;

/** A resident's keys, named by a hash of their reference: which keys they were given, and their erasures. */
export const RESIDENT_KEYS_PREFIX = 'resident-keys-';
export const residentKeysStream = (subject: string): string =>
  `${RESIDENT_KEYS_PREFIX}${createHash('sha256').update(subject).digest('hex')}`;

/** Keys and residents remembered, at most: the map is emptied when full (what is used next is fetched again). */
const REMEMBERED = 10_000;

/** Times the erasure reads the resident's stream again when a replica gave them a key meanwhile. */
const ATTEMPTS = 8;

interface Remembered<T> {
  readonly value: T;
  readonly at: number;
}

/** What the resident's stream says: its head, every key they were given, those since their last erasure, that erasure. */
interface Resident {
  readonly revision: number;
  readonly everKeyIds: readonly string[];
  readonly liveKeyIds: readonly string[];
  readonly erasure: Erasure | null;
  /** When the latest live key was given (null: none). */
  readonly lastGivenAt?: string | null;
}

interface ResidentKeys extends Resident {
  readonly current: { readonly id: string; readonly key: Buffer } | null;
}

/**
 * Why a key or resident stream as read is not what this ledger wrote, or null: its hashes, links
 * and MACs, as every stream the ledger reads is checked (LedgerIntegrity.checkStream, which also
 * reports the break). `tail`: the events are the stream's last ones (a key stream is truncated at
 * each master-key rotation).
 */
export type KeyStreamCheck = (streamId: string, events: readonly RecordedEvent[], tail: boolean) => { readonly detail: string } | null;

export type KeyEvent =
  | { readonly type: 'DataKeyMade' | 'DataKeyRewrapped'; readonly data: { readonly subject: string; readonly wrapped: string } }
  | { readonly type: 'KeyAssigned'; readonly data: { readonly keyId: string; readonly at: string } }
  | {
      readonly type: 'ResidentKeysErased';
      readonly data: { readonly erasedAt: string; readonly actor: string; readonly reason: string; readonly keyIds: readonly string[] };
    };

/**
 * Residents' data keys in EventStoreDB, shared by every replica (decision 0028). Each key is a
 * stream of its own, `data-key-<id>`, holding it wrapped by the master key and bound to its
 * resident and id; each resident's stream, `resident-keys-<sha256 of the reference>`, says which
 * key they were given (`KeyAssigned`, appended at the stream's expected revision, so two replicas
 * giving a new resident a key at once agree: the second append fails, and its command is decided
 * again with the first's key) and when they were erased (`ResidentKeysErased`, after which every
 * key of theirs is deleted for good: tombstoned). None of these streams is the ledger's: the
 * ledger's reads of `$all` and its verification pass over them.
 *
 * The cipher works from memory; what it needs is fetched first (`loadSubject` before sealing,
 * `load` before revealing), and remembered for `cacheMs`: an erasure through another replica takes
 * effect here once what this one remembered has expired. The erasing replica forgets at once.
 */
export class EventStoreKeyStore implements KeyStore {
  private readonly keys = new Map<string, Remembered<Buffer | null>>();
  private readonly residents = new Map<string, Remembered<ResidentKeys>>();
  private readonly fetching = new Map<string, Promise<unknown>>();
  /** New keys whose appends are under way, by resident: a command using one waits for it (`durable`). */
  private readonly writing = new Map<string, Promise<void>>();
  private lastFailure: StoreUnavailable | null = null;
  private readonly alteredListeners = new Set<(error: KeyStoreAltered) => void>();
  private altered: KeyStoreAltered | null = null;
  /** Keys found altered (their stream forged or deleted behind the ledger's back): shown withheld, never as erased. */
  private readonly alteredKeys = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly masterKey: Buffer,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
    /** Every key and resident stream read is checked with this before it is used (none: the streams are taken as read). */
    private readonly checkStream: KeyStreamCheck = () => null,
  ) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    if (!store.tombstone) throw new Error("residents' keys in the event store need a store that deletes streams for good (EventStoreDB)");
  }

  keyFor(subject: string, now: string): { id: string; key: Buffer } {
    const known = this.residents.get(subject)?.value;
    if (known?.current) return known.current;
    const id = randomBytes(16).toString('base64url');
    const key = randomBytes(32);
    const resident: ResidentKeys = known ?? { revision: -1, everKeyIds: [], liveKeyIds: [], erasure: null, current: null };
    this.remember(this.keys, id, key);
    this.remember(this.residents, subject, { ...resident, current: { id, key } });
    const written = this.write(subject, resident.revision, { id, key }, now).finally(() => {
      if (this.writing.get(subject) === written) this.writing.delete(subject);
    });
    written.catch(() => undefined); // observed by durable(); a key nobody waits for must not crash the process
    this.writing.set(subject, written);
    return { id, key };
  }

  find(id: string): Buffer | null {
    return this.keys.get(id)?.value ?? null;
  }

  load(ids: Iterable<string>): Promise<void> | null {
    const wanted = [...new Set(ids)].filter((id) => !this.fresh(this.keys.get(id)));
    if (!wanted.length) return null;
    return Promise.all(wanted.map((id) => this.once(`key:${id}`, () => this.fetchKey(id)))).then(() => undefined);
  }

  loadSubject(subject: string): Promise<void> | null {
    const writing = this.writing.get(subject);
    if (writing) return writing.catch(() => undefined); // its own new key: known once written (or forgotten if it was not)
    const remembered = this.residents.get(subject);
    if (remembered && this.fresh(remembered)) {
      // a new key is appended at the revision read, so a stale one is refused there; but personal data sealed under a
      // remembered key must not go under one an erasure through another replica has destroyed since: asked of the store
      if (!remembered.value.current) return null;
      return this.once(`confirm:${subject}`, () => this.confirmResident(subject, remembered.value.revision));
    }
    return this.once(`resident:${subject}`, () => this.fetchResident(subject)).then(() => undefined);
  }

  durable(): Promise<void> | null {
    if (!this.writing.size) return null;
    return Promise.all(this.writing.values()).then(() => undefined);
  }

  async erase(subject: string, erasedAt: string, actor: string, reason: string): Promise<boolean> {
    await this.writing.get(subject)?.catch(() => undefined); // a key being given a moment ago is theirs too
    for (let attempt = 1; ; attempt++) {
      const resident = await this.readResident(subject);
      let erasedNow = false;
      if (resident.liveKeyIds.length || !resident.erasure) {
        const erased = { erasedAt, actor, reason, keyIds: resident.liveKeyIds };
        try {
          await this.store.append(residentKeysStream(subject), [event('ResidentKeysErased', erased)], expectedAt(resident.revision));
        } catch (error) {
          if (error instanceof WrongExpectedRevision && attempt < ATTEMPTS) continue; // a replica gave them a key meanwhile
          throw error;
        }
        erasedNow = true;
      }
      // every key they ever had, deleted for good: a repeated erasure finishes one cut short after its record
      await Promise.all(resident.everKeyIds.map((id) => this.store.tombstone!(keyStream(id))));
      for (const id of resident.everKeyIds) this.remember(this.keys, id, null);
      const erasure = erasedNow ? { subject, erasedAt, actor, reason } : resident.erasure;
      this.remember(this.residents, subject, {
        revision: resident.revision + (erasedNow ? 1 : 0),
        everKeyIds: resident.everKeyIds,
        liveKeyIds: [],
        erasure,
        current: null,
      });
      return erasedNow;
    }
  }

  /**
   * A key made before the keys were in the store (a key file's: key-file-move.ts), put in it as the
   * resident's, unless it is there already or the store records their erasure after it was made.
   */
  async adopt(subject: string, id: string, key: Buffer, madeAt: string): Promise<'moved' | 'there' | 'erased'> {
    for (let attempt = 1; ; attempt++) {
      const resident = await this.readResident(subject);
      if (resident.everKeyIds.includes(id)) return 'there';
      if (resident.erasure && resident.erasure.erasedAt >= madeAt) {
        // a move cut short may have put the key's own stream there before the erasure: it goes too, never left readable
        await this.store.tombstone!(keyStream(id));
        this.remember(this.keys, id, null);
        return 'erased';
      }
      const wrapped = wrapKey(this.masterKey, key, subject, id).toString('base64');
      await this.store.append(keyStream(id), [event('DataKeyMade', { subject, wrapped })], 'no_stream').catch((error: unknown) => {
        if (!(error instanceof WrongExpectedRevision)) throw error; // there from a move cut short
      });
      try {
        await this.store.append(
          residentKeysStream(subject),
          [event('KeyAssigned', { keyId: id, at: madeAt })],
          expectedAt(resident.revision),
        );
      } catch (error) {
        if (error instanceof WrongExpectedRevision && attempt < ATTEMPTS) continue;
        throw error;
      }
      this.residents.delete(subject);
      return 'moved';
    }
  }

  /**
   * An erasure a key file recorded, made in the store: unless it is recorded there already, or the
   * resident was given a key after it (personal data given since, which it must not destroy): then
   * 'review', for an operator to look at.
   */
  async adoptErasure(erasure: Erasure): Promise<'moved' | 'there' | 'review'> {
    const resident = await this.readResident(erasure.subject);
    if (resident.erasure && resident.erasure.erasedAt >= erasure.erasedAt) return 'there';
    if (resident.lastGivenAt && resident.lastGivenAt > erasure.erasedAt) return 'review';
    await this.erase(erasure.subject, erasure.erasedAt, erasure.actor, erasure.reason);
    return 'moved';
  }

  erasure(subject: string): Erasure | null {
    return this.residents.get(subject)?.value.erasure ?? null;
  }

  /** Whether the resident's stream, as last loaded, gave them a key or records their erasure. */
  knows(subject: string): boolean {
    const resident = this.residents.get(subject)?.value;
    return resident !== undefined && (resident.everKeyIds.length > 0 || resident.erasure !== null || resident.current !== null);
  }

  /**
   * Every missing key is taken as erased when read by its id alone: a key's stream goes only by a
   * tombstone, which only an erasure makes, and the id does not name the resident whose stream
   * would list it. Where the resident is known (their keys loaded for a command, `npm run verify`),
   * a key their stream still gives them that is gone is reported as altered (decision 0028), and
   * such a key, like one whose stream was forged, is shown withheld from then on.
   */
  accountsFor(id: string): boolean {
    return !this.alteredKeys.has(id);
  }

  get alteration(): KeyStoreAltered | null {
    return this.altered;
  }

  onAltered(listener: (error: KeyStoreAltered) => void): () => void {
    this.alteredListeners.add(listener);
    return () => this.alteredListeners.delete(listener);
  }

  /** The last failure to reach the store for keys, until a later call succeeds: readiness reports it. */
  failure(): StoreUnavailable | null {
    return this.lastFailure;
  }

  close(): void {
    this.keys.clear();
    this.residents.clear();
  }

  /**
   * The key's own stream first, then the resident's `KeyAssigned` at the revision read: once that
   * append is acknowledged the key is in the store, and only then may events sealed under it be
   * appended (durable). Another replica that gave the resident a key first makes the append fail:
   * this key is forgotten and deleted, and the command is decided again (WrongExpectedRevision is
   * the decision loop's to retry), now with the other replica's key.
   */
  private async write(subject: string, revision: number, made: { id: string; key: Buffer }, at: string): Promise<void> {
    try {
      const wrapped = wrapKey(this.masterKey, made.key, subject, made.id).toString('base64');
      await this.tracked(this.store.append(keyStream(made.id), [event('DataKeyMade', { subject, wrapped })], 'no_stream'));
      const assigned = await this.tracked(
        this.store.append(residentKeysStream(subject), [event('KeyAssigned', { keyId: made.id, at })], expectedAt(revision)),
      );
      const resident = this.residents.get(subject)?.value;
      if (resident?.current?.id === made.id) {
        this.remember(this.residents, subject, {
          ...resident,
          revision: assigned.revision,
          everKeyIds: [...resident.everKeyIds, made.id],
          liveKeyIds: [...resident.liveKeyIds, made.id],
        });
      }
    } catch (error) {
      this.keys.delete(made.id);
      if (this.residents.get(subject)?.value.current?.id === made.id) this.residents.delete(subject);
      if (error instanceof WrongExpectedRevision) void this.store.tombstone!(keyStream(made.id)).catch(() => undefined); // never used
      throw error;
    }
  }

  /** The resident's stream read afresh when it moved on from the revision remembered (an erasure, or a key given elsewhere). */
  private async confirmResident(subject: string, revision: number): Promise<void> {
    const last = await this.tracked(this.store.readLastEvent(residentKeysStream(subject)));
    if ((last?.revision ?? -1) === revision) return;
    this.residents.delete(subject);
    await this.fetchResident(subject);
  }

  private async fetchResident(subject: string): Promise<void> {
    const resident = await this.readResident(subject);
    let current: ResidentKeys['current'] = null;
    for (const id of resident.liveKeyIds) {
      const key = await this.fetchKey(id, subject);
      if (key) {
        current = { id, key };
        break;
      }
    }
    if (this.writing.has(subject)) return; // this process gave them a key meanwhile: that one stands
    this.remember(this.residents, subject, { ...resident, current });
  }

  private async readResident(subject: string): Promise<Resident> {
    const stream = residentKeysStream(subject);
    const events = await this.tracked(this.store.readStream(stream));
    // a forged erasure would make a resident's data unreadable, a forged assignment give them another's key: neither is used
    const problem = this.checkStream(stream, events, false);
    if (problem) throw this.alteredFound(`the keys stream of ${JSON.stringify(subject)} is not as the ledger wrote it: ${problem.detail}`);
    let everKeyIds: string[] = [];
    let liveKeyIds: string[] = [];
    let erasure: Erasure | null = null;
    let lastGivenAt: string | null = null;
    for (const recorded of events as (RecordedEvent & KeyEvent)[]) {
      if (recorded.type === 'KeyAssigned') {
        everKeyIds = [...everKeyIds, recorded.data.keyId];
        liveKeyIds = [...liveKeyIds, recorded.data.keyId];
        if (lastGivenAt === null || recorded.data.at > lastGivenAt) lastGivenAt = recorded.data.at;
      } else if (recorded.type === 'ResidentKeysErased') {
        const { erasedAt, actor, reason } = recorded.data;
        erasure = { subject, erasedAt, actor, reason };
        liveKeyIds = [];
        lastGivenAt = null;
      }
    }
    return { revision: events.at(-1)?.revision ?? -1, everKeyIds, liveKeyIds, erasure, lastGivenAt };
  }

  /**
   * The key, or null when its stream is gone (erased) or its wrap does not open as its resident's
   * key: a wrap moved to another key's stream or resident, reported as tampering (decision 0023),
   * never taken for an erasure. `owner`: the resident whose stream names the key, who must be the
   * one it is bound to (else another's key would seal their data).
   */
  private async fetchKey(id: string, owner?: string): Promise<Buffer | null> {
    // the latest wrap: a rotation appends the key re-wrapped under the new master key (decision 0030)
    const last = (await this.tracked(this.store.readLastEvent(keyStream(id)))) as (RecordedEvent & KeyEvent) | undefined;
    const problem = last ? this.checkStream(keyStream(id), [last], true) : null;
    if (problem) {
      this.alteredFound(`key ${id}'s stream is not as the ledger wrote it: ${problem.detail}`, id);
      this.remember(this.keys, id, null);
      return null;
    }
    if (last?.type !== 'DataKeyMade' && last?.type !== 'DataKeyRewrapped') {
      // only an erasure deletes a key, after recording it: a key its resident's stream still gives them, gone, was deleted behind the ledger's back
      if (!last && owner !== undefined && (await this.readResident(owner)).liveKeyIds.includes(id))
        this.alteredFound(
          `key ${id} of ${JSON.stringify(owner)} is gone from the store with no erasure of theirs recorded: its stream was deleted`,
          id,
        );
      this.remember(this.keys, id, null);
      return null;
    }
    const { subject, wrapped } = last.data;
    const key = unwrapKey(this.masterKey, Buffer.from(wrapped, 'base64'), subject, id);
    if (!key) this.alteredFound(`key ${id} does not open as ${JSON.stringify(subject)}'s: its stream was rewritten`, id);
    this.remember(this.keys, id, key);
    if (key && owner !== undefined && subject !== owner) {
      this.alteredFound(`key ${id} of ${JSON.stringify(subject)} is assigned to ${JSON.stringify(owner)}`);
      return null;
    }
    return key;
  }

  private alteredFound(detail: string, keyId?: string): KeyStoreAltered {
    if (keyId !== undefined) this.alteredKeys.add(keyId);
    const error = new KeyStoreAltered(detail);
    this.altered ??= error;
    for (const listener of this.alteredListeners) listener(error);
    return error;
  }

  /** One fetch of a thing at a time: callers asking meanwhile share it. */
  private once<T>(name: string, fetch: () => Promise<T>): Promise<T> {
    const under = this.fetching.get(name) as Promise<T> | undefined;
    if (under) return under;
    const fetched = fetch().finally(() => this.fetching.delete(name));
    this.fetching.set(name, fetched);
    return fetched;
  }

  /** The store's answer; a failure to reach it is remembered for readiness until the next success. */
  private async tracked<T>(call: Promise<T>): Promise<T> {
    try {
      const result = await call;
      this.lastFailure = null;
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailable) this.lastFailure = error;
      throw error;
    }
  }

  private fresh(remembered: Remembered<unknown> | undefined): boolean {
    return remembered !== undefined && this.now() - remembered.at < this.cacheMs;
  }

  private remember<T>(map: Map<string, Remembered<T>>, name: string, value: T): void {
    if (map.size >= REMEMBERED && !map.has(name)) map.clear();
    map.set(name, { value, at: this.now() });
  }
}

const expectedAt = (revision: number) => (revision < 0 ? ('no_stream' as const) : revision);

export function event<T extends KeyEvent>(type: T['type'], data: T['data']): NewEvent {
  const at = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type,
    data,
    metadata: { occurredAt: at, actor: 'ledger:data-keys', correlationId: randomUUID(), schemaVersion: 1 },
  };
}
