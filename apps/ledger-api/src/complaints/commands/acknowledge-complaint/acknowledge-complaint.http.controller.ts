import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { AcknowledgeComplaintRequest } from './acknowledge-complaint.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/acknowledgements')
export class AcknowledgeComplaintController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge, define and log a stage (Code 6.2, 6.11, 5.6) — Acknowledged' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: AcknowledgeComplaintRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'AcknowledgeComplaint', data: body });
  }
}
