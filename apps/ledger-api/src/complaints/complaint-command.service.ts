import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  complaintEventOf,
  decide,
  EVENT_SCHEMA_VERSION,
  foldEvents,
  isDomainError,
  occurredAtOf,
  type ComplaintCommand,
  type ComplaintEvent,
  type State,
} from '@complaint-ledger/domain';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import { complaintStream, uuidFrom, WrongExpectedRevision, type EventStore, type NewEvent } from '@complaint-ledger/event-store';
import { domainProblem, preconditionFailed, idempotencyKeyReused } from './complaint-problems';
import { CLOCK, EVENT_STORE, LEDGER_CONFIG, PERSONAL_DATA, type Clock } from '../infrastructure/tokens';
import type { LedgerConfig } from '../config/ledger-config';
import { CommandMetrics } from '../health/metrics';

const MAX_ATTEMPTS = 4;

export interface CommandRequest {
  readonly complaintId: string;
  readonly command: ComplaintCommand;
  readonly actor: string;
  readonly correlationId: string;
  /** From `If-Match`: the revision the client decided on. */
  readonly ifMatch?: number;
  readonly idempotencyKey?: string;
  /** With an idempotency key, a hash of method, path and body: the same key with another request is refused. */
  readonly requestHash?: string;
  /**
   * The complaint id was made for this very request (a random UUID), so its stream cannot exist
   * yet and there is nothing to read: the append still expects no stream, and should one exist
   * after all, the retry reads it as usual.
   */
  readonly newStream?: boolean;
}

export interface CommandOutcome {
  readonly id: string;
  readonly revision: number;
  /** True when this was a retry of an idempotent request: nothing new was written. */
  readonly replayed: boolean;
}

/**
 * The thin command handler (STYLE.md 3): load the stream, fold, decide, append at the expected
 * revision. Without If-Match a concurrent change is absorbed by re-reading and re-deciding.
 */
@Injectable()
export class ComplaintCommandService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataCipher,
    private readonly metrics: CommandMetrics,
  ) {}

  async execute(request: CommandRequest): Promise<CommandOutcome> {
    const stopTimer = this.metrics.start(request.command.type);
    try {
      const outcome = await this.attempt(request);
      stopTimer(outcome.replayed ? 'replayed' : 'recorded');
      return outcome;
    } catch (error) {
      stopTimer('refused');
      throw error;
    }
  }

  private async attempt(request: CommandRequest): Promise<CommandOutcome> {
    const stream = complaintStream(request.complaintId);
    for (let attempt = 1; ; attempt++) {
      const recorded = attempt === 1 && request.newStream ? [] : await this.store.readStream(stream);
      const prior = request.idempotencyKey ? recorded.filter((e) => e.metadata.idempotencyKey === request.idempotencyKey) : [];
      if (prior.length) {
        if (prior[0]!.metadata.requestHash !== request.requestHash) throw idempotencyKeyReused();
        return { id: request.complaintId, revision: prior.at(-1)!.revision, replayed: true };
      }
      const revision = recorded.length - 1;
      if (request.ifMatch !== undefined && request.ifMatch !== revision) throw preconditionFailed(request.ifMatch, revision);
      const state = foldEvents(recorded.map(complaintEventOf));
      const decided = decide(request.command, state, {
        now: this.clock(),
        newId: randomUUID,
        clockSkewMs: this.config.LEDGER_CLOCK_SKEW_SECONDS * 1000,
      });
      if (isDomainError(decided)) throw domainProblem(decided);
      try {
        const events = this.envelope(stream, decided, request, state);
        const keysDurable = this.personalData.keysDurable(); // a resident's new data key is on disk before data under it
        if (keysDurable) await keysDurable;
        const appended = await this.store.append(stream, events, revision < 0 ? 'no_stream' : revision);
        return { id: request.complaintId, revision: appended.revision, replayed: !appended.written };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (request.ifMatch !== undefined) throw preconditionFailed(request.ifMatch, error.actual === 'no_stream' ? -1 : error.actual);
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private envelope(stream: string, events: readonly ComplaintEvent[], request: CommandRequest, state: State): NewEvent[] {
    return events.map((event, index) => ({
      // With an Idempotency-Key the ids are derived from it, so concurrent retries collapse in the store.
      eventId: request.idempotencyKey ? uuidFrom(`${stream}|${request.idempotencyKey}|${index}`) : randomUUID(),
      type: event.type,
      // personal data is encrypted under the resident's own key before it is stored (crypto-shredding)
      data: this.personalData.protect(event, residentOf(state, event) ?? request.complaintId),
      metadata: {
        occurredAt: occurredAtOf(event),
        actor: request.actor,
        correlationId: request.correlationId,
        schemaVersion: EVENT_SCHEMA_VERSION,
        ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey, requestHash: request.requestHash } : {}),
      },
    }));
  }
}

/** Whose personal data an event carries: the complaint's resident (the subject of their data key). */
function residentOf(state: State, event: ComplaintEvent): string | undefined {
  return state?.resident.reference ?? (event.type === 'ComplaintReceived' ? event.data.resident.reference : undefined);
}
