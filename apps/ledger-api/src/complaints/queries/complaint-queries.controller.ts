import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { ChainVerdict, ComplaintExport, ComplaintHistory, ComplaintView } from '../../http/responses';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UnreadableEvent, verifyChain } from '@complaint-ledger/event-store';
import { complaintIdPipe } from '../../http/request-context';
import { KnownAtQuery, PointInTimeQuery, pointInTimeOf } from '../../http/point-in-time';
import { CLOCK, type Clock } from '../../infrastructure/tokens';
import { ComplaintViews } from './complaint-views';
import { Roles } from '../../auth/roles';

@ApiTags('queries')
@Controller('v1/complaints/:id')
export class ComplaintQueriesController {
  constructor(
    private readonly views: ComplaintViews,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('case_handler', 'auditor')
  @ApiOperation({
    summary:
      'The complaint with its deadlines and findings: now, as it stood at asOf (business time), or as the ledger knew it at knownAt (record time)',
  })
  async get(
    @Param('id', complaintIdPipe) id: string,
    @Query() query: PointInTimeQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplaintView> {
    const at = pointInTimeOf(query, this.clock());
    const view = this.views.view(await this.views.load(id, at.knownAt), id, at);
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }

  @Get('history')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Every event recorded for the complaint (by knownAt, if given), in order, with its hashes and the corrections made to it (Code 5.12)',
  })
  async history(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery): Promise<ComplaintHistory> {
    const { knownAt } = pointInTimeOf(query, this.clock());
    const recorded = await this.views.load(id, knownAt);
    return { id, ...(knownAt ? { knownAt } : {}), events: this.views.events(recorded) };
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary:
      "An auditor's export: every event, the complaint's state, deadlines and findings, and the integrity check, in one document (as recorded by knownAt, if given)",
  })
  async export(
    @Param('id', complaintIdPipe) id: string,
    @Query() query: KnownAtQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplaintExport> {
    const { knownAt } = pointInTimeOf(query, this.clock());
    const exported = await this.views.exportOf(id, knownAt);
    void reply.header('content-disposition', `attachment; filename="complaint-${id}.json"`);
    return exported;
  }

  @Get('integrity')
  @Roles('auditor')
  @ApiOperation({ summary: "Verify the complaint's hash chain (as recorded by knownAt, if given) and name the first broken revision" })
  async integrity(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery): Promise<ChainVerdict> {
    const { knownAt } = pointInTimeOf(query, this.clock());
    try {
      return verifyChain(await this.views.load(id, knownAt));
    } catch (error) {
      // a damaged event is the finding itself: reported by revision, like any other break
      if (!(error instanceof UnreadableEvent)) throw error;
      return { valid: false, events: null, headHash: null, firstInvalidRevision: error.revision, detail: error.message };
    }
  }
}
