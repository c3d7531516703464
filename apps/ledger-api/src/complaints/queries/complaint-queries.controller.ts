import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { assess, complaintEventOf, foldEvents, isAfter, parseInstant, type ComplianceRules } from '@complaint-ledger/domain';
import { complaintStream, UnreadableEvent, verifyChain, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import { complaintIdPipe } from '../../http/request-context';
import { invalidRequest } from '../../http/problem';
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
  @ApiOperation({ summary: 'The complaint with its deadlines and findings, now or as the ledger knew it at asOf' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: only events recorded by then count' })
  async get(
    @Param('id', complaintIdPipe) id: string,
    @Query('asOf') asOfParam: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = this.view(await this.load(id), id, this.asOf(asOfParam));
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }

  @Get('history')
  @Roles('auditor')
  @ApiOperation({ summary: 'Every event recorded for the complaint, in order, with its hashes (Code 5.12)' })
  async history(@Param('id', complaintIdPipe) id: string) {
    const recorded = await this.load(id);
    return { id, events: this.events(recorded) };
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary: "An auditor's export: every event, the complaint's state, deadlines and findings, and the integrity check, in one document",
  })
  async export(@Param('id', complaintIdPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const recorded = await this.load(id);
    const exportedAt = this.clock();
    void reply.header('content-disposition', `attachment; filename="complaint-${id}.json"`);
    return {
      exportedAt,
      complaint: this.view(recorded, id, exportedAt),
      events: this.events(recorded),
      integrity: verifyChain(recorded),
    };
  }

  private events(recorded: RecordedEvent[]) {
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
      prevHash: metadata.prevHash,
      hash: metadata.hash,
    }));
  }

  @Get('integrity')
  @Roles('auditor')
  @ApiOperation({ summary: "Verify the complaint's hash chain and name the first broken revision" })
  async integrity(@Param('id', complaintIdPipe) id: string) {
    try {
      return verifyChain(await this.load(id));
    } catch (error) {
      // a damaged event is the finding itself: reported by revision, like any other break
      if (!(error instanceof UnreadableEvent)) throw error;
      return { valid: false, events: null, headHash: null, firstInvalidRevision: error.revision, detail: error.message };
    }
  }

  /** The complaint as the ledger knew it at `asOf`: only events recorded by then count. */
  private view(all: RecordedEvent[], id: string, asOf: string) {
    const recorded = all.filter((event) => !isAfter(event.metadata.recordedAt, asOf));
    const state = foldEvents(recorded.map(complaintEventOf));
    if (!state) throw complaintNotFound(id);
    const assessment = assess(state, asOf, this.rules);
    const stage2 = state.stage2;
    return {
      id,
      revision: recorded.length - 1,
      asOf: assessment.asOf,
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

  /** The complaint's events; 404 when it has none. */
  private async load(id: string): Promise<RecordedEvent[]> {
    const recorded = await this.store.readStream(complaintStream(id));
    if (!recorded.length) throw complaintNotFound(id);
    return recorded;
  }

  private asOf(value: string | undefined): string {
    if (value === undefined) return this.clock();
    const parsed = parseInstant(value);
    if (!parsed) {
      throw invalidRequest([{ field: 'asOf', rule: 'isISO8601', message: 'asOf must be an ISO-8601 instant, e.g. 2024-05-01T10:00:00Z' }]);
    }
    return parsed.toISO()!;
  }
}
