import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { EscalateComplaintRequest } from './escalate-complaint.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/escalations')
export class EscalateComplaintController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a request to escalate to stage 2 (Code 6.10, 6.11) — Escalated' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: EscalateComplaintRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'EscalateComplaint', data: body });
  }
}
