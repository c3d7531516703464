import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { RecordNonAcceptanceRequest } from './record-non-acceptance.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/non-acceptance')
export class RecordNonAcceptanceController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a decision not to accept the complaint (Code 2.1–2.4) — ComplaintNotAccepted' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: RecordNonAcceptanceRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'RecordNonAcceptance', data: body });
  }
}
