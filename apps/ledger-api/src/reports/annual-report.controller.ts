import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ComplianceRules } from '@complaint-ledger/domain';
import { annualReport, type ReadSide } from '@complaint-ledger/projections';
import { Roles } from '../auth/roles';
import type { LedgerConfig } from '@complaint-ledger/ledger';
import { CLOCK, COMPLIANCE_RULES, LEDGER_CONFIG, READ_SIDE, type Clock } from '../infrastructure/tokens';
import { TsmQuery } from '../statistics/tsm.controller';
import { annualReportPage } from './annual-report-page';

@ApiTags('reports')
@Controller('v1/reports')
@Roles('analyst', 'auditor')
export class AnnualReportController {
  constructor(
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(COMPLIANCE_RULES) private readonly rules: ComplianceRules,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('annual')
  @ApiOperation({
    summary: 'The annual complaints performance and service improvement report (Code 8.1): JSON, or HTML with Accept: text/html',
  })
  annual(@Query() query: TsmQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!accept || !/text\/html/.test(accept) || /application\/json/.test(accept)) return this.report(query.year);
    return this.page(query, reply);
  }

  @Get('annual.html')
  @ApiOperation({ summary: 'The annual report as a self-contained page, printable to PDF' })
  page(@Query() query: TsmQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('content-type', 'text/html; charset=utf-8');
    return annualReportPage(this.report(query.year));
  }

  private report(year: number) {
    return {
      ...annualReport(this.readSide.db, year, this.rules, this.config.homes, this.clock()),
      asOfPosition: this.readSide.runner.position,
    };
  }
}
