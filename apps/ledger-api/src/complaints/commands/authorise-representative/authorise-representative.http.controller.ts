import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { AuthoriseRepresentativeRequest } from './authorise-representative.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/representative')
export class AuthoriseRepresentativeController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Record the resident's consent for a representative (Code 3.6; decision 0006) — RepresentativeAuthorised" })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: AuthoriseRepresentativeRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'AuthoriseRepresentative', data: body });
  }
}
