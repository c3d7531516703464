import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { RespondToComplaintRequest } from './respond-to-complaint.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/responses')
export class RespondToComplaintController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a stage response (Code 6.3, 6.9, 6.14, 6.19) — Responded' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: RespondToComplaintRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'RespondToComplaint', data: body });
  }
}
