import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { RecordCorrespondenceRequest } from './record-correspondence.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/correspondence')
export class RecordCorrespondenceController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record correspondence for the full record (Code 5.12) — CorrespondenceRecorded' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: RecordCorrespondenceRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'RecordCorrespondence', data: body });
  }
}
