import { Inject, Injectable } from '@nestjs/common';
import { assess, complaintAsOf, complaintEventOf, foldEvents, isAfter, type ComplianceRules } from '@complaint-ledger/domain';
import { complaintStream, verifyChain, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import type { PointInTime } from '@complaint-ledger/projections';
import { problemType, ProblemException } from '../../http/problem';
import { CLOCK, COMPLIANCE_RULES, EVENT_STORE, type Clock } from '../../infrastructure/tokens';
import { complaintNotFound } from '../complaint-problems';
import type { ComplaintExport, ComplaintView, HistoryEvent } from '../../http/responses';

/** One complaint as the API and the console show it: its events, and its view at a point in time. */
@Injectable()
export class ComplaintViews {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMPLIANCE_RULES) private readonly rules: ComplianceRules,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** An auditor's export: every event, the complaint's view, and its chain's verdict, in one document. */
  async exportOf(id: string, knownAt?: string): Promise<ComplaintExport> {
    const recorded = await this.load(id, knownAt);
    return {
      exportedAt: this.clock(),
      ...(knownAt ? { knownAt } : {}),
      complaint: this.view(recorded, id, knownAt ? { knownAt } : {}),
      events: this.events(recorded),
      integrity: verifyChain(recorded),
    };
  }

  /** The events as an auditor reads them; a corrected fact names the revisions that corrected it. */
  events(recorded: RecordedEvent[]): HistoryEvent[] {
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
      prevHash: metadata.prevHash,
      hash: metadata.hash,
    }));
  }

  /**
   * The complaint from `recorded` (already cut at knownAt), as it stood at asOf: the facts dated by
   * then, as corrected by everything recorded. Judged at asOf, else knownAt, else now.
   */
  view(recorded: RecordedEvent[], id: string, at: PointInTime): ComplaintView {
    const known = foldEvents(recorded.map(complaintEventOf));
    if (!known) throw complaintNotFound(id);
    const state = at.asOf ? complaintAsOf(known, at.asOf) : known;
    if (!state) throw notYet('RECEIVED', id, at.asOf!);
    const assessment = assess(state, at.asOf ?? at.knownAt ?? this.clock(), this.rules);
    const stage2 = state.stage2;
    return {
      id,
      revision: recorded.length - 1,
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

  /** The complaint's events (those recorded by `knownAt`, if given); 404 when there are none. */
  async load(id: string, knownAt?: string): Promise<RecordedEvent[]> {
    const all = await this.store.readStream(complaintStream(id));
    const recorded = knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)) : all;
    if (!recorded.length) throw all.length ? notYet('RECORDED', id, knownAt!) : complaintNotFound(id);
    return recorded;
  }
}

/** 404: the complaint exists, but had not been received (business time) or recorded (record time) by then. */
const notYet = (what: 'RECEIVED' | 'RECORDED', id: string, at: string) =>
  new ProblemException({
    type: problemType(`COMPLAINT.NOT_YET_${what}`),
    title: 'Not found',
    status: 404,
    detail: `complaint ${id} had not been ${what.toLowerCase()} by ${at}`,
    code: `COMPLAINT.NOT_YET_${what}`,
  });
