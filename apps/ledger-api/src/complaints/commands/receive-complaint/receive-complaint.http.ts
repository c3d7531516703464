import { IsOptional, IsUUID } from 'class-validator';
import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { CHANNELS, TENURES } from '@complaint-ledger/domain';
import { Instant, Nested, OneOf, ResidentReference, Text } from '../../../http/dto-fields';
import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../../../auth/roles';
import type { Ledger } from '@complaint-ledger/ledger';
import { CommandEndpoint, retryIdentityOf } from '../../command-endpoint';
import { registerCommandRoute, type CheckedRequest } from '../../command-registry';
import { principalOf } from '../../../http/request-context';
import { LEDGER } from '../../../infrastructure/tokens';

export class ResidentDto {
  @ResidentReference() reference!: string;
  @Text(false, 200) name?: string;
  @Text(false, 320) email?: string;
  @Text(false, 50) phone?: string;
  @Text(false, 500) address?: string;
}

export class RepresentativeDto {
  @Text(false, 200) name?: string;
  @Text(false, 100) relationship?: string;
  @Instant(false, "When the resident's consent for the representative was received (Code 3.6; decision 0006)") consentReceivedAt?: string;
}

export class ReceiveComplaintRequest {
  @IsOptional()
  @IsUUID()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)) // recorded in lower case, found in any
  @ApiProperty({
    required: false,
    format: 'uuid',
    description: 'Client-chosen id (any case; recorded in lower case); generated when absent',
  })
  complaintId?: string;

  @Instant(true, 'When any part of the landlord received it (Code 6.2, 5.12)') receivedAt!: string;
  @OneOf(CHANNELS) channel!: (typeof CHANNELS)[number];
  @OneOf(TENURES) tenure!: (typeof TENURES)[number];
  @Text(true, 100) category!: string;
  @Text(true, 5000) summary!: string;
  @Nested(() => ResidentDto) resident!: ResidentDto;
  @Text(false, 2000) outcomeSought?: string;
  @Nested(() => RepresentativeDto, false) representative?: RepresentativeDto;
  @Instant(false, 'When the issue occurred (Code 2.3)') issueOccurredAt?: string;
  @Instant(false, 'When the resident became aware of it (Code 2.3)') residentAwareAt?: string;
  @Text(false, 100) relatedServiceRequest?: string;
}

/** What "Try it out" in /docs sends first: each is recorded as it stands (a test posts them). */
const RECEIVE_EXAMPLES = {
  email: {
    summary: 'A complaint received by email',
    value: {
      receivedAt: '2024-05-01T10:00:00+01:00',
      channel: 'email',
      tenure: 'LCRA',
      category: 'repairs',
      summary: 'Leak under the sink not repaired',
      resident: { reference: 'RES-1001' },
    },
  },
  represented: {
    summary: 'By phone, through a representative, with the dates the time limit rests on (Code 2.3)',
    value: {
      receivedAt: '2024-05-01T10:00:00+01:00',
      channel: 'phone',
      tenure: 'LCHO',
      category: 'service charges',
      summary: 'Service charge not explained',
      outcomeSought: 'A breakdown of the charge',
      resident: { reference: 'RES-2002', name: 'A. Resident', phone: '07700 900123' },
      representative: { name: 'B. Advocate', relationship: 'advocate', consentReceivedAt: '2024-05-01T09:00:00+01:00' },
      issueOccurredAt: '2024-03-01T09:00:00Z',
      residentAwareAt: '2024-03-02T09:00:00Z',
      relatedServiceRequest: 'SR-77',
    },
  },
};

@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints')
export class ReceiveComplaintController {
  constructor(
    private readonly endpoint: CommandEndpoint,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a complaint received (ComplaintReceived)', operationId: 'ReceiveComplaint' })
  @ApiBody({ type: ReceiveComplaintRequest, examples: RECEIVE_EXAMPLES })
  async receive(@Body() body: ReceiveComplaintRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // A retried request without a client id must land on the same complaint: the id derives from
    // what recognises the retry (the client's key, or the request itself).
    const complaintId = body.complaintId ?? this.ledger.write.complaintIdFor(principalOf(request), retryIdentityOf(request));
    const result = await this.endpoint.run(request, reply, complaintId, { type: 'ReceiveComplaint', data: { ...body, complaintId } });
    void reply.header('location', `/v1/complaints/${complaintId}`);
    return result;
  }
}

/** The DTO is the command's data, but for the complaint id, which the client may leave to the ledger. */
const checked: CheckedRequest<'ReceiveComplaint', Omit<ReceiveComplaintRequest, 'complaintId'>, 'complaintId'> = ReceiveComplaintRequest;

registerCommandRoute({
  command: 'ReceiveComplaint',
  method: 'POST',
  path: 'v1/complaints',
  request: checked,
  example: RECEIVE_EXAMPLES.email.value,
  controller: ReceiveComplaintController,
});
