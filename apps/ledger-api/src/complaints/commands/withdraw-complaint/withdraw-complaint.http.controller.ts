import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { WithdrawComplaintRequest } from './withdraw-complaint.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/withdrawal')
export class WithdrawComplaintController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the resident withdrawing the complaint — ComplaintWithdrawn' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: WithdrawComplaintRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'WithdrawComplaint', data: body });
  }
}
