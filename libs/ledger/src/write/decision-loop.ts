import {
  DuplicateEventId,
  GENESIS_HASH,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamHead,
} from '@complaint-ledger/event-store';
import { inSpan } from '../observability/spans';

/** Tries at a stream another writer keeps changing: the last failure is thrown. */
export const MAX_ATTEMPTS = 8;

/** A random wait before retrying after another writer's append, growing with each try (≤ 200 ms). */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

/**
 * One decider and one stream, as the loop needs them: how to fold what the stream holds, what to
 * decide from it, and how to seal what was decided into events for the store. Complaint commands,
 * the ledger's own alerts and erasures (complaint commands too) and its checkpoints all go
 * through the same loop, each with its decider.
 */
export interface DecisionCycle<S, E, A> {
  readonly stream: string;
  /**
   * The stream as the caller already knows it (a stream made for this very request, a read
   * model's copy): the first attempt does not read it. If it is stale, the append fails at its
   * expected revision and the next attempt reads the stream.
   */
  readonly known?: { readonly state: S; readonly revision: number };
  /** Before anything is decided on what the stream holds: throws when it is not what verification covers. */
  check?(recorded: readonly RecordedEvent[]): void;
  /** The fold needs only the stream's last event (a checkpoint carries the whole state): that one is read, from the end. */
  readonly lastEventOnly?: boolean;
  fold(recorded: readonly RecordedEvent[]): S;
  /**
   * Before deciding, with what the stream holds (null when known): an answer that ends the cycle
   * without writing (a retried request recognised), or undefined to decide. May throw a refusal.
   */
  settled?(recorded: readonly RecordedEvent[] | null, revision: number): A | undefined;
  /** The events the decider records (none: nothing to record); throws when it refuses. */
  decide(state: S, revision: number): readonly E[];
  /** The events as the store takes them (ids, metadata, personal data protected), once they may be written. */
  seal(events: readonly E[], state: S): Promise<NewEvent[]> | NewEvent[];
  /**
   * The answer once the events are appended (or found already there), or when there was nothing to
   * record: with the state decided on and the events as sealed (none when nothing was appended).
   */
  answer(outcome: {
    readonly decided: readonly E[];
    readonly revision: number;
    readonly appended: AppendResult | null;
    readonly state: S;
    readonly sealed: readonly NewEvent[];
  }): A;
  /** Whether a failed append is another writer's change, to re-read and decide again (false: it is thrown). */
  retryable(error: unknown): boolean;
}

/**
 * The ledger's one decision loop: read the stream, fold it, decide, seal, append at the revision
 * decided on, handing the store the head just read so it need not read the stream again; when
 * another writer appended in between, wait a random, growing moment, read again and decide again
 * (MAX_ATTEMPTS at most). Every event in the log is written through here.
 */
export async function runDecision<S, E, A>(store: DecisionStore, cycle: DecisionCycle<S, E, A>): Promise<A> {
  for (let attempt = 1; ; attempt++) {
    const known = attempt === 1 ? cycle.known : undefined;
    const recorded = known ? null : await read(store, cycle.stream, cycle.lastEventOnly);
    if (recorded) cycle.check?.(recorded);
    const revision = known ? known.revision : recorded!.length ? recorded!.at(-1)!.revision : -1;
    const early = cycle.settled?.(recorded, revision);
    if (early !== undefined) return early;
    const state = known ? known.state : cycle.fold(recorded!);
    const decided = cycle.decide(state, revision);
    if (!decided.length) return cycle.answer({ decided, revision, appended: null, state, sealed: [] });
    try {
      const expected = revision < 0 ? 'no_stream' : revision;
      const attributes = { 'ledger.stream': cycle.stream, 'ledger.expected_revision': String(expected), 'ledger.attempt': attempt };
      // sealed within the span, so the events carry its context: the relay's publishing continues the trace from here
      const { appended, sealed } = await inSpan(
        'event-store.append',
        attributes,
        async (span) => {
          const events = await cycle.seal(decided, state);
          // a stream the caller knows not to exist has the genesis hash for head; a known state without its hash, none
          const head = recorded ? headRead(recorded, events) : known?.revision === -1 ? { revision: -1, hash: GENESIS_HASH } : undefined;
          const result = await store.append(cycle.stream, events, expected, head);
          span.setAttributes({ 'ledger.events': events.length, 'ledger.position': result.position, 'ledger.written': result.written });
          return { appended: result, sealed: events };
        },
        isConflict,
      );
      return cycle.answer({ decided, revision, appended, state, sealed });
    } catch (error) {
      if (!cycle.retryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** A store the loop writes through: the log, or a dry run's make-believe, which may read only whole streams. */
type DecisionStore = Pick<EventStore, 'append' | 'readStream'> & Partial<Pick<EventStore, 'readLastEvent'>>;

const read = async (store: DecisionStore, stream: string, lastEventOnly = false): Promise<RecordedEvent[]> => {
  if (!lastEventOnly) return store.readStream(stream);
  if (!store.readLastEvent) return (await store.readStream(stream)).slice(-1);
  const last = await store.readLastEvent(stream);
  return last ? [last] : [];
};

/**
 * The stream's head as just read, for the store to chain onto without reading the stream again;
 * not when an event of this append is among what was read (the store then reads and decides for
 * itself: a retry recognised, or an id reused).
 */
function headRead(recorded: readonly RecordedEvent[], events: readonly NewEvent[]): StreamHead | undefined {
  const ids = new Set(events.map((event) => event.eventId));
  if (recorded.some((event) => ids.has(event.eventId))) return undefined;
  const last = recorded.at(-1);
  return last ? { revision: last.revision, hash: last.metadata.hash } : { revision: -1, hash: GENESIS_HASH };
}

/** Another writer's append got in first: the store's conflict on the expected revision (or on an event id). */
export const isConflict = (error: unknown): boolean => error instanceof WrongExpectedRevision || error instanceof DuplicateEventId;
