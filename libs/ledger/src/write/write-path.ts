import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  complaintEventOf,
  decide,
  EVENT_SCHEMA_VERSION,
  foldEvents,
  isDomainError,
  occurredAtOf,
  onceOnlyKeyOf,
  withoutPersonalData,
  type AlertSettings,
  type ComplaintCommand,
  type ComplaintEvent,
  type ComplianceRules,
  type State,
  CHECKPOINT_STREAM,
  decideCheckpoint,
  evolveCheckpoint,
  NO_CHECKPOINT,
  type Checkpoint,
  type CheckpointState,
  type LedgerCheckpointed,
} from '@complaint-ledger/domain';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import {
  complaintStream,
  DuplicateEventId,
  uuidFrom,
  WrongExpectedRevision,
  type EventStore,
  type NewEvent,
} from '@complaint-ledger/event-store';
import type { Clock } from '../clock';
import type { CommandMetrics } from './command-metrics';
import { CommandRefused, IdempotencyKeyReused, type LedgerBroken, RevisionMismatch } from './refusals';

/** Tries at a complaint another process keeps changing: the last answers 409 "Concurrent change". */
const MAX_ATTEMPTS = 8;

/** A random wait before retrying after another process's append, growing with each try (≤ 200 ms). */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

export interface CommandRequest {
  readonly complaintId: string;
  readonly command: ComplaintCommand;
  /** Who: the authenticated principal, or the ledger's own role (`ledger:deadline-detector`). */
  readonly actor: string;
  readonly correlationId: string;
  /** From `If-Match`: the revision the client decided on. */
  readonly ifMatch?: number;
  readonly idempotencyKey?: string;
  /** With an idempotency key, a hash of the request: the same key with another request is refused. */
  readonly requestHash?: string;
  /**
   * The key was derived from the request itself (no `Idempotency-Key` was sent): it is the
   * request's hash, so it is kept alone and a match needs no comparison of hashes.
   */
  readonly derivedKey?: boolean;
  /**
   * What the caller already knows of the complaint, so the first attempt need not read the stream:
   * a complaint id made for this very request (state null at revision -1), or a read model's copy.
   * If it is stale, the append fails at its expected revision and the retry reads the stream.
   * Not with an idempotency key, whose earlier uses only the stream can show.
   */
  readonly known?: { readonly state: State; readonly revision: number };
}

export interface CommandOutcome {
  readonly id: string;
  readonly revision: number;
  /** What this command recorded: none when the decider found nothing to record or it was a retry. */
  readonly recorded: readonly ComplaintEvent['type'][];
  /** True when this was a retry of an idempotent request: nothing new was written. */
  readonly replayed: boolean;
}

/** A command on its way to the ledger: what the API's CommandBus carries and the system writers send. */
export class RecordComplaintFact extends Command<CommandOutcome> {
  constructor(readonly request: CommandRequest) {
    super();
  }
}

/** The injection token for a WritePath's dependencies, where Nest constructs the handler (the API). */
export const WRITE_PATH_DEPENDENCIES = Symbol('WritePathDependencies');

export interface WritePathDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  /** Encrypts personal data under the resident's key; null in a process without the master key (only system facts). */
  readonly personalData: PersonalDataCipher | null;
  readonly clockSkewMs: number;
  readonly compliance: { readonly rules: ComplianceRules; readonly alerts: AlertSettings };
  readonly metrics?: CommandMetrics;
  /** What the ledger's verification found; while it reports a break, nothing is written. */
  readonly integrity?: { readonly broken: LedgerBroken | null };
}

/**
 * The one write path of the ledger (and the Nest command handler for RecordComplaintFact): read
 * the complaint's stream, fold it, decide, protect personal data, build the envelope, append at
 * the revision decided on. Every event in the log comes through here, from people or from the
 * ledger itself. Commands for one complaint take turns in this process (one queue per complaint),
 * so without If-Match a command never fails because another here changed the complaint first;
 * another process's change is absorbed by re-reading and re-deciding after a random wait.
 */
@CommandHandler(RecordComplaintFact)
export class WritePath implements ICommandHandler<RecordComplaintFact> {
  /** The last command waiting or running for each complaint; commands for others do not wait. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(@Inject(WRITE_PATH_DEPENDENCIES) private readonly deps: WritePathDependencies) {}

  async execute({ request }: RecordComplaintFact): Promise<CommandOutcome> {
    const id = request.complaintId;
    const previous = this.queues.get(id);
    const run = previous ? previous.then(() => this.run(request)) : this.run(request);
    const settled = run.catch(() => undefined); // the next in line waits for this one, whatever its outcome
    this.queues.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    }
  }

  private async run(request: CommandRequest): Promise<CommandOutcome> {
    const stopTimer = this.deps.metrics?.start(request.command.type);
    try {
      if (this.deps.integrity?.broken) throw this.deps.integrity.broken;
      const outcome = await this.attempt(request);
      stopTimer?.(outcome.replayed ? 'replayed' : outcome.recorded.length ? 'recorded' : 'nothing');
      return outcome;
    } catch (error) {
      stopTimer?.('refused');
      throw error;
    }
  }

  /**
   * The ledger's signed checkpoint, through its decider (which keeps checkpoints moving forward)
   * into its own stream. `known` is the checkpoint stream as the caller last saw it, so the stream
   * (one event per checkpoint, ever growing) is read only after a conflict. Returns the stream's
   * new revision, or null when another writer's checkpoint already covers as much.
   */
  async recordCheckpoint(
    checkpoint: Checkpoint,
    known: { readonly state: CheckpointState; readonly revision: number },
  ): Promise<{ readonly revision: number } | null> {
    const { store } = this.deps;
    if (this.deps.integrity?.broken) throw this.deps.integrity.broken; // never sign over a broken log
    for (let attempt = 1, current = known; ; attempt++) {
      const decided = decideCheckpoint({ type: 'RecordCheckpoint', data: checkpoint }, current.state);
      if (isDomainError(decided)) return null;
      const events: NewEvent[] = decided.map((event) => ({
        eventId: uuidFrom(`${CHECKPOINT_STREAM}|${event.data.position}|${event.data.keyId}`),
        type: event.type,
        data: event.data,
        metadata: {
          occurredAt: event.data.at,
          actor: 'ledger:checkpointer',
          correlationId: randomUUID(),
          schemaVersion: EVENT_SCHEMA_VERSION,
        },
      }));
      try {
        const appended = await store.append(CHECKPOINT_STREAM, events, current.revision < 0 ? 'no_stream' : current.revision);
        return { revision: appended.revision };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision || error instanceof DuplicateEventId) || attempt >= MAX_ATTEMPTS) throw error;
        const recorded = await store.readStream(CHECKPOINT_STREAM);
        current = {
          state: recorded.reduce((state, event) => evolveCheckpoint(state, event as unknown as LedgerCheckpointed), NO_CHECKPOINT),
          revision: recorded.length - 1,
        };
      }
    }
  }

  private async attempt(request: CommandRequest): Promise<CommandOutcome> {
    const { store, clock, clockSkewMs, compliance } = this.deps;
    const stream = complaintStream(request.complaintId);
    for (let attempt = 1; ; attempt++) {
      const known = attempt === 1 && !request.idempotencyKey ? request.known : undefined;
      const recorded = known ? [] : await store.readStream(stream);
      const prior = request.idempotencyKey ? recorded.filter((e) => e.metadata.idempotencyKey === request.idempotencyKey) : [];
      if (prior.length) {
        if (!request.derivedKey && prior[0]!.metadata.requestHash !== request.requestHash) throw new IdempotencyKeyReused();
        return { id: request.complaintId, revision: prior.at(-1)!.revision, recorded: [], replayed: true };
      }
      const revision = known ? known.revision : recorded.length - 1;
      if (request.ifMatch !== undefined && request.ifMatch !== revision) throw new RevisionMismatch(request.ifMatch, revision);
      const state = known ? known.state : foldEvents(recorded.map(complaintEventOf));
      const decided = decide(request.command, state, { now: clock(), newId: randomUUID, clockSkewMs, compliance });
      if (isDomainError(decided)) throw new CommandRefused(decided);
      if (!decided.length) return { id: request.complaintId, revision, recorded: [], replayed: false };
      try {
        const events = this.envelope(stream, decided, request, state);
        const keysDurable = this.deps.personalData?.keysDurable(); // a resident's new data key is on disk before data under it
        if (keysDurable) await keysDurable;
        const appended = await store.append(stream, events, revision < 0 ? 'no_stream' : revision);
        return {
          id: request.complaintId,
          revision: appended.revision,
          recorded: appended.written ? decided.map((event) => event.type) : [],
          replayed: !appended.written && !!request.idempotencyKey,
        };
      } catch (error) {
        const conflict = error instanceof WrongExpectedRevision || (error instanceof DuplicateEventId && !request.idempotencyKey);
        if (!conflict) throw error;
        if (request.ifMatch !== undefined && error instanceof WrongExpectedRevision)
          throw new RevisionMismatch(request.ifMatch, error.actual === 'no_stream' ? -1 : error.actual);
        if (attempt >= MAX_ATTEMPTS) throw error;
        await backoff(attempt);
      }
    }
  }

  private envelope(stream: string, events: readonly ComplaintEvent[], request: CommandRequest, state: State): NewEvent[] {
    return events.map((event, index) => ({
      eventId: eventIdOf(stream, event, index, request),
      type: event.type,
      data: this.protect(event, residentOf(state, event) ?? request.complaintId),
      metadata: {
        occurredAt: occurredAtOf(event),
        actor: request.actor,
        correlationId: request.correlationId,
        schemaVersion: EVENT_SCHEMA_VERSION,
        ...(request.idempotencyKey
          ? { idempotencyKey: request.idempotencyKey, ...(request.derivedKey ? {} : { requestHash: request.requestHash }) }
          : {}),
      },
    }));
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

/**
 * With an Idempotency-Key the ids derive from it and the request's hash, so concurrent retries of
 * one request collapse in the store, while the same key sent at once with another body makes other
 * ids: that request loses the race on the revision, re-reads, and is refused as a reused key
 * rather than told "replayed". A fact recorded once per complaint (an alert, an erasure) derives its
 * id from what makes it unique, so racing writers collide instead of recording it twice; anything
 * else gets a random id.
 */
function eventIdOf(stream: string, event: ComplaintEvent, index: number, request: CommandRequest): string {
  if (request.idempotencyKey) return uuidFrom(`${stream}|${request.idempotencyKey}|${request.requestHash}|${index}`);
  const once = onceOnlyKeyOf(event);
  return once ? uuidFrom(`${stream}|${once}`) : randomUUID();
}

/** Whose personal data an event carries: the complaint's resident (the subject of their data key). */
function residentOf(state: State, event: ComplaintEvent): string | undefined {
  return state?.resident.reference ?? (event.type === 'ComplaintReceived' ? event.data.resident.reference : undefined);
}
