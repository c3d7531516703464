import {
  DuplicateEventId,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@complaint-ledger/event-store';

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
  /** The answer once the events are appended (or found already there), or when there was nothing to record. */
  answer(outcome: { readonly decided: readonly E[]; readonly revision: number; readonly appended: AppendResult | null }): A;
  /** Whether a failed append is another writer's change, to re-read and decide again (false: it is thrown). */
  retryable(error: unknown): boolean;
}

/**
 * The ledger's one decision loop: read the stream, fold it, decide, seal, append at the revision
 * decided on; when another writer appended in between, wait a random, growing moment, read again
 * and decide again (MAX_ATTEMPTS at most). Every event in the log is written through here.
 */
export async function runDecision<S, E, A>(store: EventStore, cycle: DecisionCycle<S, E, A>): Promise<A> {
  for (let attempt = 1; ; attempt++) {
    const known = attempt === 1 ? cycle.known : undefined;
    const recorded = known ? null : await store.readStream(cycle.stream);
    if (recorded) cycle.check?.(recorded);
    const revision = known ? known.revision : recorded!.length ? recorded!.at(-1)!.revision : -1;
    const early = cycle.settled?.(recorded, revision);
    if (early !== undefined) return early;
    const state = known ? known.state : cycle.fold(recorded!);
    const decided = cycle.decide(state, revision);
    if (!decided.length) return cycle.answer({ decided, revision, appended: null });
    try {
      const events = await cycle.seal(decided, state);
      const appended = await store.append(cycle.stream, events, revision < 0 ? 'no_stream' : revision);
      return cycle.answer({ decided, revision, appended });
    } catch (error) {
      if (!cycle.retryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** Another writer's append got in first: the store's conflict on the expected revision (or on an event id). */
export const isConflict = (error: unknown): boolean => error instanceof WrongExpectedRevision || error instanceof DuplicateEventId;
