import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsObject, Min, validateSync } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PersonCommand } from '@complaint-ledger/domain';
import { leftOut, type Ledger } from '@complaint-ledger/ledger';
import { Roles } from '../../../auth/roles';
import { Text } from '../../../http/dto-fields';
import { invalidRequest } from '../../../http/problem';
import { complaintIdPipe } from '../../../http/request-context';
import { flatten } from '../../../http/validation';
import { LEDGER } from '../../../infrastructure/tokens';
import { CommandEndpoint } from '../../command-endpoint';
import { registerCommandRoute, requestOf } from '../../command-registry';

export class CorrectFactRequest {
  @IsInt()
  @Min(0)
  @ApiProperty({ minimum: 0, description: 'The revision of the fact corrected, as GET …/history lists it' })
  revision!: number;

  @Text(true, 2000, 'Why the fact was wrong') reason!: string;

  @leftOut()
  @IsObject()
  @ApiProperty({
    required: false,
    type: Object,
    description:
      "The fact as it should have been recorded: the body of the command that records it (e.g. an acknowledgement's body for an Acknowledged)",
  })
  replacement?: Record<string, unknown>;

  @leftOut()
  @IsIn([true], { message: 'void must be true when given' })
  @ApiProperty({ required: false, enum: [true], description: 'Void the fact instead of replacing it' })
  void?: true;
}

const EXAMPLE = {
  revision: 1,
  reason: 'The acknowledgement letter was dated wrongly',
  replacement: { stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'Leak under the sink' },
};

/**
 * `POST /v1/complaints/:id/corrections` (decision 0016): a correction is a new fact naming the one
 * it corrects. Events never change, so the corrected fact's kind read here is the kind the decider
 * will find; the replacement is validated as that kind's own request, then decided afresh.
 */
@ApiTags('commands')
@Roles('case_handler')
@Controller('v1/complaints/:id/corrections')
export class CorrectionsController {
  constructor(
    private readonly endpoint: CommandEndpoint,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correct or void a fact people recorded (Code 5.12: the original stays on the record) — FactCorrected',
    operationId: 'CorrectFact',
  })
  @ApiBody({ type: CorrectFactRequest, examples: { example: { summary: 'A valid body', value: EXAMPLE } } })
  async correct(
    @Param('id', complaintIdPipe) id: string,
    @Body() body: CorrectFactRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const replacement = body.replacement && (await this.replacementFor(id, body.revision, body.replacement));
    const data = {
      revision: body.revision,
      reason: body.reason,
      ...(replacement ? { replacement } : {}),
      ...(body.void ? { void: true } : {}),
    };
    return this.endpoint.run(request, reply, id, { type: 'CorrectFact', data });
  }

  private async replacementFor(id: string, revision: number, body: Record<string, unknown>): Promise<PersonCommand> {
    const type = await this.ledger.queries.complaints.correctedCommand(id, revision);
    const replacement = plainToInstance(requestOf(type), body);
    const errors = validateSync(replacement, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw invalidRequest(flatten(errors, 'replacement'));
    if (type === 'ReceiveComplaint' && body.complaintId !== undefined && String(body.complaintId).toLowerCase() !== id) {
      throw invalidRequest([
        { field: 'replacement.complaintId', rule: 'sameComplaint', message: 'a correction cannot move a fact to another complaint' },
      ]);
    }
    return { type, data: replacement } as PersonCommand;
  }
}

registerCommandRoute({
  command: 'CorrectFact',
  method: 'POST',
  path: 'v1/complaints/:id/corrections',
  request: CorrectFactRequest,
  example: EXAMPLE,
  controller: CorrectionsController,
});
