import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../../../auth/roles';
import { CommandEndpoint } from '../../command-endpoint';
import { uuidFrom } from '@complaint-ledger/event-store';
import { idempotencyKeyOf } from '../../../http/request-context';
import { ReceiveComplaintRequest } from './receive-complaint.request.dto';

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints')
export class ReceiveComplaintController {
  constructor(private readonly endpoint: CommandEndpoint) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a complaint received (ComplaintReceived)' })
  async receive(@Body() body: ReceiveComplaintRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // A retried request without a client id must land on the same complaint: derive the id from the key.
    const key = idempotencyKeyOf(request);
    const complaintId = body.complaintId ?? (key ? uuidFrom(`complaint|${key}`) : randomUUID());
    // an id made for this very request names no stream yet: nothing to read before deciding
    const newStream = !body.complaintId && !key;
    const result = await this.endpoint.run(
      request,
      reply,
      complaintId,
      { type: 'ReceiveComplaint', data: { ...body, complaintId } },
      newStream,
    );
    void reply.header('location', `/v1/complaints/${complaintId}`);
    return result;
  }
}
