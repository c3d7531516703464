import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { AnnualReportBody } from '../http/responses';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { pointInTimeOf } from '../http/point-in-time';
import { Roles } from '../auth/roles';
import type { Ledger } from '@complaint-ledger/ledger';
import { CLOCK, LEDGER, type Clock } from '../infrastructure/tokens';
import { TsmQuery } from '../statistics/tsm.controller';
import { annualReportPage } from './annual-report-page';

@ApiTags('reports')
@Controller('v1/reports')
@Roles('analyst', 'auditor')
export class AnnualReportController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('annual')
  @ApiOperation({
    operationId: 'GetAnnualReport',
    summary:
      'The annual complaints performance and service improvement report (Code 8.1): JSON, or HTML with Accept: text/html; with knownAt, as it would have been published then',
  })
  annual(
    @Query() query: TsmQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnnualReportBody | string> {
    if (!accept || !/text\/html/.test(accept) || /application\/json/.test(accept)) return this.report(query);
    return this.page(query, reply);
  }

  @Get('annual.html')
  @ApiOperation({ operationId: 'GetAnnualReportPage', summary: 'The annual report as a self-contained page, printable to PDF' })
  async page(@Query() query: TsmQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.report(query);
    void reply.header('content-type', 'text/html; charset=utf-8');
    return annualReportPage(report);
  }

  private async report(query: TsmQuery): Promise<AnnualReportBody> {
    const at = pointInTimeOf(query, this.clock());
    await this.ledger.queries.caughtUpTo(query.minPosition);
    return this.ledger.queries.readModels.annualReport(query.year, at);
  }
}
