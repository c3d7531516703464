import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { ChainVerdict, ComplaintExport, ComplaintHistory, ComplaintView } from '../../http/responses';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Ledger } from '@complaint-ledger/ledger';
import { complaintIdPipe } from '../../http/request-context';
import { KnownAtQuery, PointInTimeQuery, pointInTimeOf } from '../../http/point-in-time';
import { CLOCK, LEDGER, type Clock } from '../../infrastructure/tokens';
import { Roles } from '../../auth/roles';
import { RevealsPersonalData } from '../../http/reveal';

@ApiTags('queries')
@Controller('v1/complaints/:id')
export class ComplaintQueriesController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get complaints() {
    return this.ledger.queries.complaints;
  }

  @Get()
  @RevealsPersonalData()
  @Roles('case_handler', 'auditor')
  @ApiOperation({
    operationId: 'GetComplaint',
    summary:
      'The complaint with its deadlines and findings: now, as it stood at asOf (business time), or as the ledger knew it at knownAt (record time)',
  })
  async get(
    @Param('id', complaintIdPipe) id: string,
    @Query() query: PointInTimeQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplaintView> {
    const { view, concurrencyRevision } = await this.complaints.complaint(id, pointInTimeOf(query, this.clock()));
    void reply.header('etag', `"${concurrencyRevision}"`); // what If-Match takes: the ledger's own facts do not move it
    return view;
  }

  @Get('history')
  @RevealsPersonalData()
  @Roles('auditor')
  @ApiOperation({
    operationId: 'GetComplaintHistory',
    summary:
      'Every event recorded for the complaint (by knownAt, if given), in order, with its hashes and the corrections made to it (Code 5.12)',
  })
  async history(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery): Promise<ComplaintHistory> {
    const { knownAt } = pointInTimeOf(query, this.clock());
    return { id, ...(knownAt ? { knownAt } : {}), events: await this.complaints.history(id, knownAt) };
  }

  @Get('export')
  @RevealsPersonalData()
  @Roles('auditor')
  @ApiOperation({
    operationId: 'ExportComplaint',
    summary:
      "An auditor's export: every event, the complaint's state, deadlines and findings, and the integrity check, in one document (as recorded by knownAt, if given)",
  })
  async export(
    @Param('id', complaintIdPipe) id: string,
    @Query() query: KnownAtQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplaintExport> {
    const exported = await this.complaints.exportOf(id, pointInTimeOf(query, this.clock()).knownAt);
    void reply.header('content-disposition', `attachment; filename="complaint-${id}.json"`);
    return exported;
  }

  @Get('integrity')
  @Roles('auditor')
  @ApiOperation({
    operationId: 'VerifyComplaintChain',
    summary: "Verify the complaint's hash chain (as recorded by knownAt, if given) and name the first broken revision",
  })
  integrity(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery): Promise<ChainVerdict> {
    return this.complaints.chain(id, pointInTimeOf(query, this.clock()).knownAt);
  }
}
