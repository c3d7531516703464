import { Instant, Text } from '../../../http/dto-fields';
import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';

export class CompleteRemedyRequest {
  @Instant() completedAt!: string;
  @Text(false, 2000) notes?: string;
}

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/remedies/:remedyId/completion')
export class CompleteRemedyController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a remedy followed through to completion (Code 7.3) — RemedyCompleted' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Param('remedyId') remedyId: string,
    @Body() body: CompleteRemedyRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'CompleteRemedy', data: { ...body, remedyId } });
  }
}
