import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { ExtendDeadlineRequest } from './extend-deadline.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/extensions')
export class ExtendDeadlineController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an extension notified to the resident (Code 6.4, 6.5, 6.15, 6.16) — Extended' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: ExtendDeadlineRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'ExtendDeadline', data: body });
  }
}
