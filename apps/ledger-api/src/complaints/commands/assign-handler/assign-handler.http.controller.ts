import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { AssignHandlerRequest } from './assign-handler.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/handlers')
export class AssignHandlerController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign a handler to a stage (Code 6.13) — HandlerAssigned' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: AssignHandlerRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'AssignHandler', data: body });
  }
}
