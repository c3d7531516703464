import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { complaintIdPipe } from '../../../http/request-context';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { OfferRemedyRequest } from './offer-remedy.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/remedies')
export class OfferRemedyController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Offer a remedy at any stage (Code 5.13, 7.1, 7.3) — RemedyOffered' })
  handle(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: OfferRemedyRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.endpoint.run(request, reply, id, { type: 'OfferRemedy', data: body });
  }
}
