import { randomUUID } from 'node:crypto';
import {
  CHECKPOINT_STREAM,
  complaintEventOf,
  concurrencyRevisionOf,
  decide,
  decideCheckpoint,
  EVENT_SCHEMA_VERSION,
  evolveCheckpoint,
  foldEvents,
  isDomainError,
  NO_CHECKPOINT,
  occurredAtOf,
  withoutPersonalData,
  type AlertSettings,
  type Checkpoint,
  type ComplaintCommand,
  type ComplaintEvent,
  type ComplianceRules,
  type LedgerCheckpointed,
  type State,
} from '@complaint-ledger/domain';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import {
  complaintStream,
  DuplicateEventId,
  uuidFrom,
  WrongExpectedRevision,
  type EventStore,
  type NewEvent,
  type Provenance,
  type RecordedEvent,
  UnreadableEvent,
} from '@complaint-ledger/event-store';
import type { Clock } from '../clock';
import type { CommandMetrics } from './command-metrics';
import { isConflict, runDecision } from './decision-loop';
import { type ClockOffset, CommandRefused, IdempotencyKeyReused, type LedgerBroken, RevisionMismatch } from './refusals';
import { inSpan, recordedTraceContext } from '../observability/spans';
import { eventIdOf, retryKeyOf, type RetryIdentity, type RetryKey } from './retry-key';

export { IMPORT_KEY_PREFIX, type RetryIdentity } from './retry-key';

export interface CommandRequest {
  readonly complaintId: string;
  readonly command: ComplaintCommand;
  /** Who: the authenticated principal, or the ledger's own role (`ledger:breach-detector`). */
  readonly actor: string;
  readonly correlationId: string;
  /** From `If-Match`: the concurrency revision the client decided on (concurrencyRevisionOf). */
  readonly ifMatch?: number;
  /** A request from outside (HTTP): recognised when it is sent again, and answered as the first time. */
  readonly retry?: RetryIdentity;
  /**
   * What the caller already knows of the complaint, so the first attempt need not read the stream
   * (a read model's copy, for the deadline sweep; the state an import's previous row left). With a
   * retry identity, only when the caller read the stream at `revision` and saw no earlier use of
   * the retry key in it (`retryUnseen`): the append at that revision fails if anything came since,
   * and the next attempt reads the stream. Otherwise only the stream can show the earlier uses.
   */
  readonly known?: { readonly state: State; readonly revision: number; readonly retryUnseen?: boolean };
  /** The caller follows the complaint (the import, row after row): answer with its state after the command. */
  readonly follow?: boolean;
  /**
   * A fact brought in by a bulk import (docs/import.md): recorded in each event's metadata. Only
   * such a request may carry a retry key in the import's reserved prefix (`import:`).
   */
  readonly provenance?: Provenance;
  /**
   * Ids for what the decider creates (remedies), in order, instead of random ones: an import names
   * each remedy after the landlord's own reference, so a later row (or file) can complete it.
   */
  readonly newIds?: readonly string[];
}

export interface CommandOutcome {
  readonly id: string;
  /** The stream revision of the complaint's last event once the command is done. */
  readonly revision: number;
  /**
   * The log position of that event (-1 when not read): a reader asking for at least this position
   * (`minPosition`) sees what the command recorded, on any replica.
   */
  readonly position: number;
  /** What this command recorded: none when the decider found nothing to record or it was a retry. */
  readonly recorded: readonly ComplaintEvent['type'][];
  /** True when this was a retry of a request already recorded: nothing new was written. */
  readonly replayed: boolean;
  /** When replayed: where the fact first recorded came from, if an import brought it in. */
  readonly replayedFrom?: Provenance;
  /**
   * With `follow`: the complaint as it stands after what this command recorded, folded from the
   * events as stored (absent when replayed); the caller passes it as `known` with its next command.
   */
  readonly state?: State;
}

export interface WritePathDependencies {
  /** Where events are read and appended: the ledger's log, or a dry run's make-believe (import/dry-run-store.ts). */
  readonly store: Pick<EventStore, 'append' | 'readStream'>;
  readonly clock: Clock;
  /** Encrypts personal data under the resident's key; null in a process without the master key (only system facts). */
  readonly personalData: PersonalDataCipher | null;
  readonly clockSkewMs: number;
  readonly compliance: { readonly rules: ComplianceRules; readonly alerts: AlertSettings };
  readonly metrics?: CommandMetrics;
  /** How this process's clock stands against the store's (health/clock-watch.ts); while it is off by too much, nothing is written. */
  readonly clockWatch?: { readonly refusal: ClockOffset | null };
  /**
   * What the ledger's verification found: while it reports a break, nothing is written; and each
   * stream read to decide on is checked against it first (its hashes, MACs and the head verification
   * last saw), so a command never decides on, or appends after, what verification would refuse.
   */
  readonly integrity?: {
    readonly broken: LedgerBroken | null;
    /** `tail`: the events are the stream's last ones only (read from the end). */
    checkStream(streamId: string, events: readonly RecordedEvent[], tail?: boolean): { readonly kind: string } | null;
    /** A stream that could not even be read (damaged, or misfiled by the index of streams): a break too. */
    unreadable(error: UnreadableEvent): void;
  };
}

/**
 * The one write path of the ledger, one instance per process (Ledger.open makes it; the API's
 * command handlers, the deadline sweep, erasure, retention and the checkpointer all use that one).
 * Commands for one complaint take turns (a queue per complaint, commands for others do not wait),
 * so without If-Match a command never fails because another in this process changed the complaint
 * first; another process's change is absorbed by the decision loop's re-read and re-decide.
 */
export class WritePath {
  /** The last command waiting or running for each complaint. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: WritePathDependencies) {}

  /** A complaint command, from people or from the ledger itself, through the complaint's decider. */
  execute(request: CommandRequest): Promise<CommandOutcome> {
    const attributes = {
      'ledger.command': request.command.type,
      'ledger.complaint_id': request.complaintId,
      'ledger.correlation_id': request.correlationId,
    };
    return inSpan(
      `ledger.write ${request.command.type}`,
      attributes,
      async (span) => {
        const outcome = await this.inTurn(request.complaintId, () => this.run(request));
        span.setAttributes({
          'ledger.revision': outcome.revision,
          'ledger.recorded': outcome.recorded.length,
          'ledger.replayed': outcome.replayed,
        });
        return outcome;
      },
      isAnswer,
    );
  }

  /**
   * A complaint's commands in their order (a complaint's history, imported): each decided on the
   * state the ones before it left, as when sent one by one, and what they record appended in one
   * append. Each command's events carry its own retry key and provenance, so each fact is
   * recognised alone later. A command the decider refuses records nothing and is answered with its
   * refusal; the rest go on. Where the stream already holds one of the keys, or the store already
   * holds an event of the series, the commands go one by one through execute's own path instead,
   * with the same answers. The caller keeps a series within what one append may carry (EventStoreDB
   * refuses an append over 1 MiB): the import sends at most 100 rows, 256 KiB of facts (engine.ts).
   */
  executeSeries(complaintId: string, requests: readonly CommandRequest[]): Promise<SeriesOutcome[]> {
    if (requests.some((request) => request.complaintId !== complaintId || request.ifMatch !== undefined))
      throw new Error("a series is one complaint's commands, without If-Match");
    const attributes = { 'ledger.complaint_id': complaintId, 'ledger.commands': requests.length };
    return inSpan('ledger.write series', attributes, () => this.inTurn(complaintId, () => this.runSeries(complaintId, requests)));
  }

  /**
   * How a command would be answered on a given state of its complaint, recording nothing: the
   * decider's refusal, or the facts it would record. The import asks it of a row decided before
   * (a run resumed, a file run again) at its place in the complaint's history, so the row is
   * judged where it stands in the history and not against the facts that came after it.
   */
  judge(request: CommandRequest, state: State): CommandRefused | readonly ComplaintEvent['type'][] {
    const decided = decide(request.command, state, this.contextFor(request));
    return isDomainError(decided) ? new CommandRefused(decided) : decided.map((event) => event.type);
  }

  /** What a command is decided with: this process's clock, the ids it names, the tolerated skew, the rules. */
  private contextFor(request: CommandRequest) {
    const { clock, clockSkewMs, compliance } = this.deps;
    return { now: clock(), newId: idSource(request.newIds), clockSkewMs, compliance };
  }

  private async inTurn<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id);
    const run = previous ? previous.then(task) : task();
    const settled = run.catch(() => undefined); // the next in line waits for this one, whatever its outcome
    this.queues.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    }
  }

  /**
   * The complaint a new complaint is recorded under when the client named none: derived from what
   * recognises a retry, so the request sent again lands on the same complaint.
   */
  complaintIdFor(actor: string, retry: RetryIdentity): string {
    return uuidFrom(`complaint|${retryKeyOf(actor, retry, false).key}`);
  }

  /**
   * The ledger's signed checkpoint, through its decider (which keeps checkpoints moving forward)
   * into its own stream. The stream (one event per checkpoint, ever growing) is read from its end,
   * its last event only: each checkpoint is the whole state its decider needs. Returns the stream's
   * new revision, or null when another writer's checkpoint already covers as much.
   */
  recordCheckpoint(checkpoint: Checkpoint) {
    this.refuseWhileUnsafe(); // never sign over a broken log, nor with a clock that is off
    return runDecision(this.deps.store, {
      stream: CHECKPOINT_STREAM,
      // the last checkpoint alone (another replica may have signed since this one verified): read from the end, and its hash chains the append
      lastEventOnly: true,
      check: this.checked(CHECKPOINT_STREAM, true),
      fold: (recorded) => recorded.reduce((state, event) => evolveCheckpoint(state, event as unknown as LedgerCheckpointed), NO_CHECKPOINT),
      decide: (state) => {
        const decided = decideCheckpoint({ type: 'RecordCheckpoint', data: checkpoint }, state);
        return isDomainError(decided) ? [] : decided;
      },
      seal: (events) => {
        this.refuseIfBroken();
        return events.map((event) => ({
          eventId: uuidFrom(`${CHECKPOINT_STREAM}|${event.data.position}|${event.data.keyId}`),
          type: event.type,
          data: event.data,
          metadata: {
            occurredAt: event.data.at,
            actor: 'ledger:checkpointer',
            correlationId: randomUUID(),
            schemaVersion: EVENT_SCHEMA_VERSION,
            ...recordedTraceContext(),
          },
        }));
      },
      answer: ({ appended }) => (appended ? { revision: appended.revision } : null),
      retryable: isConflict,
    });
  }

  private async run(request: CommandRequest): Promise<CommandOutcome> {
    const stopTimer = this.deps.metrics?.start(request.command.type);
    try {
      this.refuseWhileUnsafe();
      const outcome = await this.decideAndAppend(request);
      stopTimer?.(resultOf(outcome));
      return outcome;
    } catch (error) {
      stopTimer?.('refused');
      if (error instanceof UnreadableEvent) this.deps.integrity?.unreadable(error);
      throw error;
    }
  }

  /**
   * Nothing is written on a broken log, nor stamped with a clock too far from the store's (its
   * record time would be out of order): for every write, and for writers with work to do before
   * their first command (erasure).
   */
  refuseWhileUnsafe(): void {
    this.refuseIfBroken();
    const clockOff = this.deps.clockWatch?.refusal;
    if (clockOff) throw clockOff;
  }

  /** Throws LedgerBroken while the ledger's verification reports a break. */
  private refuseIfBroken(): void {
    if (this.deps.integrity?.broken) throw this.deps.integrity.broken;
  }

  /** The stream as read is checked before anything is decided on it; a problem breaks the ledger and refuses the write. */
  private checked(stream: string, tail = false) {
    return (recorded: readonly RecordedEvent[]) => {
      if (this.deps.integrity?.checkStream(stream, recorded, tail)) this.refuseIfBroken();
    };
  }

  private decideAndAppend(request: CommandRequest): Promise<CommandOutcome> {
    const { store } = this.deps;
    const id = request.complaintId;
    const stream = complaintStream(id);
    const retry = request.retry && retryKeyOf(request.actor, request.retry, request.provenance !== undefined);
    let lastPosition = -1;
    const outcome = (
      revision: number,
      position: number,
      recorded: readonly ComplaintEvent['type'][],
      replayed: boolean,
    ): CommandOutcome => ({
      id,
      revision,
      position,
      recorded,
      replayed,
    });
    return runDecision(store, {
      stream,
      known: retry && !request.known?.retryUnseen ? undefined : request.known,
      check: this.checked(stream),
      fold: (recorded) => foldEvents(recorded.map(complaintEventOf)),
      settled: (recorded, revision) => {
        lastPosition = recorded?.at(-1)?.position ?? -1;
        const prior = retry && recorded ? recorded.filter((event) => event.metadata.idempotencyKey === retry.key) : [];
        if (prior.length) {
          // a key is the credential's own: the same key from another credential, or with another request, is not a retry;
          // an import's key names the fact itself, so the same fact imported by another credential is the same fact
          if (!retry!.imported && prior[0]!.metadata.actor !== request.actor) throw new IdempotencyKeyReused();
          if (retry!.requestHash !== undefined && prior[0]!.metadata.requestHash !== retry!.requestHash) throw new IdempotencyKeyReused();
          const from = prior[0]!.metadata.provenance;
          return { ...outcome(prior.at(-1)!.revision, prior.at(-1)!.position, [], true), ...(from ? { replayedFrom: from } : {}) };
        }
        if (request.ifMatch === undefined) return undefined;
        const current = recorded ? concurrencyRevisionOf(recorded) : revision;
        // a complaint that is not there is answered 404 by the decider: a 404 is decided before preconditions (RFC 9110 §13.2.1)
        if (current < 0 && request.command.type !== 'ReceiveComplaint') return undefined;
        if (request.ifMatch !== current) throw new RevisionMismatch(request.ifMatch, current);
        return undefined;
      },
      decide: (state) => {
        const decided = decide(request.command, state, this.contextFor(request));
        if (isDomainError(decided)) throw new CommandRefused(decided);
        return decided;
      },
      seal: async (events, state) => {
        // the residents' keys in memory first, so encrypting needs no wait (fetched when they live in EventStoreDB)
        const keysLoaded = this.deps.personalData?.loadKeysOf(
          events.filter((event) => withoutPersonalData(event).removed.length).map((event) => this.subjectOf(event, state, request)),
        );
        if (keysLoaded) await keysLoaded;
        this.refuseIfBroken(); // a break found while this command was deciding: it is not written either
        const sealed = this.envelope(stream, events, request, retry, state);
        const keysDurable = this.deps.personalData?.keysDurable(); // a resident's new data key is on disk before data under it
        if (keysDurable) await keysDurable;
        return sealed;
      },
      answer: ({ decided, revision, appended, state, sealed }) => {
        if (!appended) return { ...outcome(revision, lastPosition, [], false), ...(request.follow ? { state } : {}) };
        const answer = outcome(
          appended.revision,
          appended.position,
          appended.written ? decided.map((event) => event.type) : [],
          !appended.written && !!retry,
        );
        return request.follow && appended.written ? { ...answer, state: foldEvents(sealed.map(complaintEventOf), state) } : answer;
      },
      // a reused event id from this very request's retry is not another writer: the store recognises it
      retryable: (error) => error instanceof WrongExpectedRevision || (error instanceof DuplicateEventId && !retry),
    });
  }

  private async runSeries(complaintId: string, requests: readonly CommandRequest[]): Promise<SeriesOutcome[]> {
    const stops = requests.map((request) => this.deps.metrics?.start(request.command.type));
    const oneByOne = async () => {
      const answers: SeriesOutcome[] = [];
      // each reads the stream afresh: the copy the series was given is no longer the stream's
      for (const request of requests) answers.push(await answerOf(() => this.decideAndAppend({ ...request, known: undefined })));
      return answers;
    };
    try {
      this.refuseWhileUnsafe();
      const together = await this.decideTogether(complaintId, requests).catch((error: unknown): typeof ONE_BY_ONE => {
        if (error instanceof DuplicateEventId || error instanceof IdempotencyKeyReused) return ONE_BY_ONE;
        throw error;
      });
      const answers = together === ONE_BY_ONE ? await oneByOne() : together;
      answers.forEach((answer, index) => stops[index]?.('failed' in answer ? 'refused' : resultOf(answer.outcome)));
      return answers;
    } catch (error) {
      for (const stop of stops) stop?.('refused');
      if (error instanceof UnreadableEvent) this.deps.integrity?.unreadable(error);
      throw error;
    }
  }

  /** The series decided and appended at once; ONE_BY_ONE where the stream or store already holds part of it. */
  // async: a retry key refused (IdempotencyKeyReused) rejects, and the series then answers it command by command, as execute would
  private async decideTogether(complaintId: string, requests: readonly CommandRequest[]): Promise<SeriesOutcome[] | typeof ONE_BY_ONE> {
    const { store } = this.deps;
    const stream = complaintStream(complaintId);
    const retries = requests.map((request) => request.retry && retryKeyOf(request.actor, request.retry, request.provenance !== undefined));
    const known = requests[0]?.known;
    // what each command decided in the current attempt, with the state it was decided on
    let decisions: { readonly index: number; readonly events: readonly ComplaintEvent[]; readonly before: State }[] = [];
    let refusals = new Map<number, CommandRefused>();
    return await runDecision<State, ComplaintEvent, SeriesOutcome[] | typeof ONE_BY_ONE>(store, {
      stream,
      // the caller's copy only when it saw none of the keys in the stream (as for one command with a retry key)
      known: known?.retryUnseen || retries.every((retry) => !retry) ? known : undefined,
      check: this.checked(stream),
      fold: (recorded) => foldEvents(recorded.map(complaintEventOf)),
      settled: (recorded) => {
        const keys = new Set(recorded?.flatMap((event) => (event.metadata.idempotencyKey ? [event.metadata.idempotencyKey] : [])));
        return retries.some((retry) => retry && keys.has(retry.key)) ? ONE_BY_ONE : undefined;
      },
      decide: (initial) => {
        decisions = [];
        refusals = new Map();
        let state = initial;
        requests.forEach((request, index) => {
          const decided = decide(request.command, state, this.contextFor(request));
          if (isDomainError(decided)) return void refusals.set(index, new CommandRefused(decided));
          // the next is decided on these facts before they are sealed: deciders read structured fields only, never the personal data sealing encrypts
          decisions.push({ index, events: decided, before: state });
          state = foldEvents(decided, state);
        });
        return decisions.flatMap(({ events }) => events);
      },
      seal: async () => {
        const subjects = decisions.flatMap(({ index, events, before }) =>
          events
            .filter((event) => withoutPersonalData(event).removed.length)
            .map((event) => this.subjectOf(event, before, requests[index]!)),
        );
        const keysLoaded = this.deps.personalData?.loadKeysOf(subjects);
        if (keysLoaded) await keysLoaded;
        this.refuseIfBroken();
        const sealed = decisions.flatMap(({ index, events, before }) =>
          this.envelope(stream, events, requests[index]!, retries[index], before),
        );
        const keysDurable = this.deps.personalData?.keysDurable();
        if (keysDurable) await keysDurable;
        return sealed;
      },
      answer: ({ revision, appended, state, sealed }) => {
        if (appended && !appended.written) return ONE_BY_ONE; // an earlier attempt's events, found in the store: answered one by one
        const answers: SeriesOutcome[] = [];
        let at = 0;
        let after = state;
        let lastRevision = revision;
        const byIndex = new Map(decisions.map((decision) => [decision.index, decision]));
        requests.forEach((request, index) => {
          const refused = refusals.get(index);
          if (refused) return void answers.push({ failed: refused });
          const events = byIndex.get(index)?.events ?? [];
          const own = sealed.slice(at, at + events.length);
          at += events.length;
          after = foldEvents(own.map(complaintEventOf), after);
          lastRevision += events.length;
          answers.push({
            outcome: {
              id: complaintId,
              revision: lastRevision,
              // the series' last event: a reader at least there sees this command's events too
              position: appended ? appended.position : -1,
              recorded: events.map((event) => event.type),
              replayed: false,
              ...(request.follow ? { state: after } : {}),
            },
          });
        });
        return answers;
      },
      retryable: (error) => error instanceof WrongExpectedRevision,
    });
  }

  private envelope(
    stream: string,
    events: readonly ComplaintEvent[],
    request: CommandRequest,
    retry: RetryKey | undefined,
    state: State,
  ): NewEvent[] {
    return events.map((event, index) => ({
      eventId: eventIdOf(stream, event, index, retry),
      type: event.type,
      data: this.protect(event, this.subjectOf(event, state, request)),
      metadata: {
        occurredAt: occurredAtOf(event),
        actor: request.actor,
        correlationId: request.correlationId,
        schemaVersion: EVENT_SCHEMA_VERSION,
        ...(retry ? { idempotencyKey: retry.key, ...(retry.requestHash ? { requestHash: retry.requestHash } : {}) } : {}),
        ...recordedTraceContext(),
        ...(request.provenance ? { provenance: request.provenance } : {}),
      },
    }));
  }

  /** Whose personal data the event carries: the resident's reference (the complaint's id when none is known). */
  private subjectOf(event: ComplaintEvent, state: State, request: CommandRequest): string {
    return residentOf(state, event) ?? request.complaintId;
  }

  /** Personal data is encrypted under the resident's own key before it is stored (crypto-shredding). */
  private protect(event: ComplaintEvent, subject: string): object {
    const { personalData } = this.deps;
    if (personalData) return personalData.protect(event, subject);
    if (withoutPersonalData(event).removed.length)
      throw new Error(`a ${event.type} carries personal data, and this process has no master key to protect it`);
    return event.data;
  }
}

/** The decider's id source: the ids the request names, in order, then random ones (a fresh source for each decision). */
const idSource = (ids: readonly string[] = []) => {
  let next = 0;
  return () => ids[next++] ?? randomUUID();
};

/** One command of a series as it ended: its outcome, or the answer a client would have had instead (refused, a key reused). */
export type SeriesOutcome =
  { readonly outcome: CommandOutcome } | { readonly failed: CommandRefused | IdempotencyKeyReused | RevisionMismatch };

/** The series goes one command at a time (decideTogether found part of it recorded already). */
const ONE_BY_ONE: unique symbol = Symbol('one by one');

const answerOf = async (run: () => Promise<CommandOutcome>): Promise<SeriesOutcome> => {
  try {
    return { outcome: await run() };
  } catch (error) {
    if (isAnswer(error)) return { failed: error as CommandRefused | IdempotencyKeyReused | RevisionMismatch };
    throw error;
  }
};

/** What a command came to, as its metric counts it. */
const resultOf = (outcome: CommandOutcome) => (outcome.replayed ? 'replayed' : outcome.recorded.length ? 'recorded' : 'nothing');

/** What the write path answers a client with, rather than fails on. */
const isAnswer = (error: unknown) =>
  error instanceof CommandRefused || error instanceof RevisionMismatch || error instanceof IdempotencyKeyReused;

/** Whose personal data an event carries: the complaint's resident (the subject of their data key). */
function residentOf(state: State, event: ComplaintEvent): string | undefined {
  return state?.resident.reference ?? (event.type === 'ComplaintReceived' ? event.data.resident.reference : undefined);
}
