import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { assess, complaintAsOf, complaintEventOf, foldEvents, isAfter, type ComplianceRules } from '@complaint-ledger/domain';
import type { PointInTime } from '@complaint-ledger/projections';
import { complaintStream, UnreadableEvent, verifyChain, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import { complaintIdPipe } from '../../http/request-context';
import { problemType, ProblemException } from '../../http/problem';
import { KnownAtQuery, PointInTimeQuery, pointInTimeOf } from '../../http/point-in-time';
import { CLOCK, COMPLIANCE_RULES, EVENT_STORE, type Clock } from '../../infrastructure/tokens';
import { complaintNotFound } from '../complaint-problems';
import { Roles } from '../../auth/roles';

@ApiTags('queries')
@Controller('v1/complaints/:id')
export class ComplaintQueriesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMPLIANCE_RULES) private readonly rules: ComplianceRules,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('case_handler', 'auditor')
  @ApiOperation({
    summary:
      'The complaint with its deadlines and findings: now, as it stood at asOf (business time), or as the ledger knew it at knownAt (record time)',
  })
  async get(@Param('id', complaintIdPipe) id: string, @Query() query: PointInTimeQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const at = pointInTimeOf(query, this.clock());
    const view = this.view(await this.load(id, at.knownAt), id, at);
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }

  @Get('history')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Every event recorded for the complaint (by knownAt, if given), in order, with its hashes and the corrections made to it (Code 5.12)',
  })
  async history(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery) {
    const { knownAt } = pointInTimeOf(query, this.clock());
    const recorded = await this.load(id, knownAt);
    return { id, ...(knownAt ? { knownAt } : {}), events: this.events(recorded) };
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary:
      "An auditor's export: every event, the complaint's state, deadlines and findings, and the integrity check, in one document (as recorded by knownAt, if given)",
  })
  async export(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { knownAt } = pointInTimeOf(query, this.clock());
    const recorded = await this.load(id, knownAt);
    const exportedAt = this.clock();
    void reply.header('content-disposition', `attachment; filename="complaint-${id}.json"`);
    return {
      exportedAt,
      ...(knownAt ? { knownAt } : {}),
      complaint: this.view(recorded, id, knownAt ? { knownAt } : {}),
      events: this.events(recorded),
      integrity: verifyChain(recorded),
    };
  }

  /** The events as an auditor reads them; a corrected fact names the revisions that corrected it. */
  private events(recorded: RecordedEvent[]) {
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

  @Get('integrity')
  @Roles('auditor')
  @ApiOperation({ summary: "Verify the complaint's hash chain (as recorded by knownAt, if given) and name the first broken revision" })
  async integrity(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery) {
    const { knownAt } = pointInTimeOf(query, this.clock());
    try {
      return verifyChain(await this.load(id, knownAt));
    } catch (error) {
      // a damaged event is the finding itself: reported by revision, like any other break
      if (!(error instanceof UnreadableEvent)) throw error;
      return { valid: false, events: null, headHash: null, firstInvalidRevision: error.revision, detail: error.message };
    }
  }

  /**
   * The complaint from `recorded` (already cut at knownAt), as it stood at asOf: the facts dated by
   * then, as corrected by everything recorded. Judged at asOf, else knownAt, else now.
   */
  private view(recorded: RecordedEvent[], id: string, at: PointInTime) {
    const known = foldEvents(recorded.map(complaintEventOf));
    if (!known) throw complaintNotFound(id);
    const state = at.asOf ? complaintAsOf(known, at.asOf) : known;
    if (!state) throw notYetReceived(id, at.asOf!);
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
  private async load(id: string, knownAt?: string): Promise<RecordedEvent[]> {
    const all = await this.store.readStream(complaintStream(id));
    const recorded = knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)) : all;
    if (!recorded.length) throw all.length ? notYetRecorded(id, knownAt!) : complaintNotFound(id);
    return recorded;
  }
}

const notYetRecorded = (id: string, knownAt: string) =>
  new ProblemException({
    type: problemType('COMPLAINT.NOT_YET_RECORDED'),
    title: 'Not found',
    status: 404,
    detail: `complaint ${id} had not been recorded by ${knownAt}`,
    code: 'COMPLAINT.NOT_YET_RECORDED',
  });

const notYetReceived = (id: string, asOf: string) =>
  new ProblemException({
    type: problemType('COMPLAINT.NOT_YET_RECEIVED'),
    title: 'Not found',
    status: 404,
    detail: `complaint ${id} had not been received by ${asOf}`,
    code: 'COMPLAINT.NOT_YET_RECEIVED',
  });
