import {
  assess,
  COMMAND_RECORDING,
  complaintAsOf,
  complaintEventOf,
  concurrencyRevisionOf,
  correctionTarget,
  endOfLondonDay,
  foldEvents,
  isAfter,
  isDomainError,
  isLocalDate,
  isPersonFact,
  occurredAtOf,
  type ComplaintState,
  type ComplianceRules,
  type PersonCommand,
  type PersonFactType,
} from '@complaint-ledger/domain';
import {
  complaintStream,
  UnreadableEvent,
  verifyChain,
  type IntegrityReport,
  type EventKeyRing,
  type EventStore,
  type RecordedEvent,
} from '@complaint-ledger/event-store';
import type { PointInTime } from '@complaint-ledger/projections';
import type { Clock } from '../clock';
import { CommandRefused } from '../write/refusals';
import type { LedgerBreak } from '../integrity/verify-ledger';
import { ComplaintAltered, ComplaintNotFound, ComplaintNotYet } from './errors';
import type { ChainVerdict, ComplaintExport, ComplaintView, HistoryEvent } from './results';
import type { DocumentStore } from '../evidence/documents/document-store';
import { checkStored } from '../evidence/documents/documents';

/** Why one stream as read is not what verification covers (LedgerIntegrity.checkStream), or null. */
export type StreamCheck = (streamId: string, events: readonly RecordedEvent[]) => LedgerBreak | null;

export interface ComplaintReadOptions {
  /** Each event's MAC is checked with these (decision 0023). */
  readonly eventKeys?: EventKeyRing | null;
  /**
   * Whether a stream as read is what verification covers (LedgerIntegrity.checkStream): a
   * complaint is never shown from one it is not, and its integrity says why.
   */
  readonly check?: StreamCheck | null;
  /** Where the complaints' documents are kept, checked with the chain. */
  readonly documentStore?: DocumentStore;
}

/** A place the console's replay control can stand: after one fact people recorded (as corrected), in the order they happened. */
export interface ReplayStep {
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
}

/** What the console's timeline shows of a complaint: its events as recorded by then, and its view at the step chosen. */
export interface ComplaintTimeline {
  readonly view: ComplaintView;
  readonly events: HistoryEvent[];
  readonly steps: ReplayStep[];
  /** The step the view stands at, or null for now (or the date asked). */
  readonly step: number | null;
  /** The revision record time stands at (only what was recorded by that event), or undefined for everything. */
  readonly recordedBy?: number;
  readonly asOfDate?: string;
  readonly chain: { readonly valid: boolean; readonly events: number | null; readonly firstInvalidRevision: number | null };
  readonly lastPosition: number;
}

/**
 * One complaint read from its own stream in the log: its view at a point in time, its history,
 * an auditor's export, its chain's verdict, the console's timeline. Always the log itself, never
 * a read model: these are the answers an auditor checks against the hashes.
 */
export class ComplaintReads {
  constructor(
    private readonly store: EventStore,
    private readonly rules: ComplianceRules,
    private readonly clock: Clock,
    private readonly options: ComplaintReadOptions = {},
  ) {}

  /** The complaint now, or as it stood (asOf) or was known (knownAt); and the revision its ETag names. */
  async complaint(id: string, at: PointInTime): Promise<{ view: ComplaintView; concurrencyRevision: number }> {
    const recorded = await this.recorded(id, at.knownAt);
    return { view: this.view(recorded, id, at), concurrencyRevision: concurrencyRevisionOf(recorded) };
  }

  async history(id: string, knownAt?: string): Promise<HistoryEvent[]> {
    return historyOf(await this.recorded(id, knownAt));
  }

  /** An auditor's export: every event, the complaint's view, and its chain's verdict, in one document. */
  async exportOf(id: string, knownAt?: string): Promise<ComplaintExport> {
    // the export says what is wrong, with the events as they are
    const { all, recorded } = await this.read(id, knownAt);
    return {
      exportedAt: this.clock(),
      ...(knownAt ? { knownAt } : {}),
      complaint: this.view(recorded, id, knownAt ? { knownAt } : {}),
      events: historyOf(recorded),
      integrity: this.integrityOf(id, recorded, all),
    };
  }

  /**
   * The chain's verdict over what was recorded (by knownAt), and the whole stream against what
   * verification last saw of it (its head removed shows too, whatever the time asked about).
   */
  private integrityOf(id: string, recorded: RecordedEvent[], all: RecordedEvent[]): IntegrityReport {
    const chain = verifyChain(recorded, this.options.eventKeys);
    const found = this.options.check?.(complaintStream(id), all) ?? null;
    if (!found || !chain.valid) return chain;
    return { ...chain, valid: false, firstInvalidRevision: found.revision ?? null, detail: found.detail };
  }

  /**
   * The complaint's hash chain verified (as integrityOf), and each document it names against the
   * hash of what is stored (a document missing or altered is tampering: not valid); a damaged event
   * is the finding itself, reported by revision.
   */
  async chain(id: string, knownAt?: string): Promise<ChainVerdict> {
    try {
      const { all, recorded } = await this.read(id, knownAt);
      const verdict = this.integrityOf(id, recorded, all);
      const records = foldEvents(recorded.map(complaintEventOf))?.documents ?? [];
      const { documentStore } = this.options;
      if (!documentStore || !records.length) return verdict;
      const problems = await checkStored(documentStore, records);
      return { ...verdict, valid: verdict.valid && !problems.length, documents: { checked: records.length, problems } };
    } catch (error) {
      if (!(error instanceof UnreadableEvent)) throw error;
      return { valid: false, events: null, headHash: null, firstInvalidRevision: error.revision, detail: error.message };
    }
  }

  /**
   * The console's timeline: the events recorded up to revision `recordedBy` (record time), and the
   * view at replay step `step`, or at the end of London day `asOfDate` (business time), or now.
   * Out-of-range numbers and malformed dates are ignored, as the console's links can be edited.
   */
  async timeline(id: string, asked: { recordedBy?: number; step?: number; asOfDate?: string }): Promise<ComplaintTimeline> {
    const all = await this.recorded(id);
    const recordedBy = asked.recordedBy !== undefined && asked.recordedBy < all.length ? asked.recordedBy : undefined;
    const knownAt = recordedBy === undefined ? undefined : all[recordedBy]!.metadata.recordedAt;
    const recorded = knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)) : all;
    const steps = replaySteps(recorded);
    const step = asked.step !== undefined && asked.step < steps.length ? asked.step : null;
    const now = this.clock();
    const asOfDate = asked.asOfDate && isLocalDate(asked.asOfDate) ? asked.asOfDate : undefined;
    const asOf =
      step !== null
        ? steps[step]!.occurredAt
        : asOfDate
          ? isAfter(endOfLondonDay(asOfDate), now)
            ? now
            : endOfLondonDay(asOfDate)
          : undefined;
    return {
      view: this.view(recorded, id, { ...(asOf ? { asOf } : {}), ...(knownAt ? { knownAt } : {}) }),
      events: historyOf(recorded),
      steps,
      step,
      ...(recordedBy !== undefined ? { recordedBy } : {}),
      ...(asOfDate ? { asOfDate } : {}),
      chain: chainSummary(recorded, this.options.eventKeys ?? null),
      lastPosition: recorded.at(-1)!.position,
    };
  }

  /**
   * The command that records the fact at `revision`, for a correction whose replacement must be
   * that command's body: events never change, so the kind read here is the kind the decider finds.
   */
  async correctedCommand(id: string, revision: number): Promise<PersonCommand['type']> {
    const complaint = foldEvents((await this.recorded(id)).map(complaintEventOf)) as ComplaintState;
    const target = correctionTarget(complaint, revision);
    if (isDomainError(target)) throw new CommandRefused(target);
    return COMMAND_RECORDING[target.event.type as PersonFactType];
  }

  /** The complaint's state as the ledger knew it at `knownAt` (its events recorded by then, folded); null before it was known. */
  async stateKnownAt(id: string, knownAt: string): Promise<ComplaintState | null> {
    const all = await this.store.readStream(complaintStream(id));
    return foldEvents(all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)).map(complaintEventOf));
  }

  /**
   * The complaint from `recorded` (already cut at knownAt), as it stood at asOf: the facts dated by
   * then, as corrected by everything recorded. Judged at asOf, else knownAt, else now.
   */
  private view(recorded: RecordedEvent[], id: string, at: PointInTime): ComplaintView {
    const known = foldEvents(recorded.map(complaintEventOf));
    if (!known) throw new ComplaintNotFound(id);
    const state = at.asOf ? complaintAsOf(known, at.asOf) : known;
    if (!state) throw new ComplaintNotYet('received', id, at.asOf!);
    const assessment = assess(state, at.asOf ?? at.knownAt ?? this.clock(), this.rules);
    const stage2 = state.stage2;
    return {
      id,
      revision: recorded.at(-1)!.revision,
      asOf: assessment.asOf,
      ...(at.knownAt ? { knownAt: at.knownAt } : {}),
      status: assessment.status,
      stage: assessment.stage,
      codeVersion: assessment.codeVersion,
      receivedAt: state.receivedAt,
      channel: state.channel,
      tenure: state.tenure,
      category: state.category,
      residentReference: state.resident.reference,
      deadlines: assessment.deadlines.map(({ extensions: _extensions, ...deadline }) => deadline),
      findings: assessment.findings,
      remedies: state.remedies,
      outstandingActions: (stage2?.response ?? state.stage1.response)?.outstandingActions ?? [],
    };
  }

  /**
   * The complaint's events (those recorded by `knownAt`, if given); ComplaintNotFound when there are
   * none; ComplaintAltered when its stream is not what verification covers (the auditor's integrity
   * and export read it as it is, and say so themselves).
   */
  private async recorded(id: string, knownAt?: string): Promise<RecordedEvent[]> {
    const { all, recorded } = await this.read(id, knownAt);
    const found = this.options.check?.(complaintStream(id), all) ?? null;
    if (found) throw new ComplaintAltered(id, found);
    return recorded;
  }

  /** The complaint's whole stream, and what of it was recorded by `knownAt`; ComplaintNotFound or ComplaintNotYet when nothing. */
  private async read(id: string, knownAt?: string): Promise<{ all: RecordedEvent[]; recorded: RecordedEvent[] }> {
    const all = await this.store.readStream(complaintStream(id));
    const recorded = knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)) : all;
    if (!recorded.length) throw all.length ? new ComplaintNotYet('recorded', id, knownAt!) : new ComplaintNotFound(id);
    return { all, recorded };
  }
}

/** The events as an auditor reads them; a corrected fact names the revisions that corrected it. */
function historyOf(recorded: readonly RecordedEvent[]): HistoryEvent[] {
  const correctedBy = new Map<number, number[]>();
  for (const event of recorded) {
    if (event.type !== 'FactCorrected') continue;
    const target = (event.data as { correctedRevision: number }).correctedRevision;
    correctedBy.set(target, [...(correctedBy.get(target) ?? []), event.revision]);
  }
  return recorded.map(({ revision, position, eventId, type, data, metadata }) => ({
    revision,
    position,
    eventId,
    type,
    occurredAt: metadata.occurredAt,
    recordedAt: metadata.recordedAt,
    actor: metadata.actor,
    correlationId: metadata.correlationId,
    schemaVersion: metadata.schemaVersion,
    data,
    ...(correctedBy.has(revision) ? { correctedBy: correctedBy.get(revision) } : {}),
    ...(metadata.provenance ? { provenance: metadata.provenance } : {}),
    prevHash: metadata.prevHash,
    hash: metadata.hash,
    ...(metadata.macKeyId === undefined ? {} : { macKeyId: metadata.macKeyId }),
    ...(metadata.mac === undefined ? {} : { mac: metadata.mac }),
  }));
}

/** After each fact people recorded, as corrected, in the order they happened. */
function replaySteps(recorded: readonly RecordedEvent[]): ReplayStep[] {
  const state = foldEvents(recorded.map(complaintEventOf))!;
  return state.facts
    .filter((fact) => isPersonFact(fact.event))
    .map((fact) => ({ revision: fact.revision, type: fact.event.type, occurredAt: occurredAtOf(fact.event) }))
    .sort((a, b) => (a.occurredAt === b.occurredAt ? a.revision - b.revision : a.occurredAt < b.occurredAt ? -1 : 1));
}

function chainSummary(recorded: RecordedEvent[], eventKeys: EventKeyRing | null): ComplaintTimeline['chain'] {
  try {
    const verdict = verifyChain(recorded, eventKeys);
    return { valid: verdict.valid, events: verdict.events, firstInvalidRevision: verdict.firstInvalidRevision ?? null };
  } catch (error) {
    if (!(error instanceof UnreadableEvent)) throw error;
    return { valid: false, events: null, firstInvalidRevision: error.revision };
  }
}
