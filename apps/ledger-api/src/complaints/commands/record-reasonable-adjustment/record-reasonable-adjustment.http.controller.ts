import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { RecordReasonableAdjustmentRequest } from './record-reasonable-adjustment.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/reasonable-adjustments')
export class RecordReasonableAdjustmentController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a reasonable adjustment and disclosed needs (Code 5.10) — ReasonableAdjustmentRecorded' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: RecordReasonableAdjustmentRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'RecordReasonableAdjustment', data: body });
  }
}
