import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { RefuseEscalationRequest } from './refuse-escalation.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/escalation-refusals')
export class RefuseEscalationController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a refusal to escalate (Code 5.11) — EscalationRefused' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: RefuseEscalationRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'RefuseEscalation', data: body });
  }
}
