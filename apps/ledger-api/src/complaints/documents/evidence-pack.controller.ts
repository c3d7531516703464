import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Ledger } from '@complaint-ledger/ledger';
import { Roles } from '../../auth/roles';
import { PointInTimeQuery, pointInTimeOf } from '../../http/point-in-time';
import { complaintIdPipe } from '../../http/request-context';
import { CLOCK, LEDGER, type Clock } from '../../infrastructure/tokens';

/** The Ombudsman evidence pack of one complaint (Code 5.12; decision 0024). */
@ApiTags('documents')
@Controller('v1/complaints/:id/evidence-pack')
export class EvidencePackController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('case_handler', 'auditor')
  @ApiProduces('application/zip')
  @ApiResponse({ status: 200, description: 'The evidence pack (a ZIP)', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 503, description: 'No signed tree head covers the complaint yet, and this process signs none (problem+json)' })
  @ApiOperation({
    operationId: 'ExportEvidencePack',
    summary:
      'The evidence pack: one ZIP of the complaint file (PDF), its documents, its events (JSON lines) and a proof against a signed tree head that anyone checks offline (tools/verify-pack)',
  })
  async pack(@Param('id', complaintIdPipe) id: string, @Query() query: PointInTimeQuery, @Res() reply: FastifyReply): Promise<void> {
    const packs = this.ledger.evidence.packs;
    if (!packs) throw new Error('evidence packs need the master key');
    const { filename, zip } = await packs.pack(id, pointInTimeOf(query, this.clock()));
    void reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${filename}"`);
    return reply.send(zip);
  }
}
