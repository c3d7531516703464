import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Min, validateSync } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  COMMAND_RECORDING,
  complaintEventOf,
  correctionTarget,
  foldEvents,
  isDomainError,
  type PersonCommand,
  type PersonFactType,
} from '@complaint-ledger/domain';
import { complaintStream, type EventStore } from '@complaint-ledger/event-store';
import { Roles } from '../../../auth/roles';
import { Text } from '../../../http/dto-fields';
import { invalidRequest } from '../../../http/problem';
import { complaintIdPipe } from '../../../http/request-context';
import { flatten } from '../../../http/validation';
import { EVENT_STORE } from '../../../infrastructure/tokens';
import { CommandEndpoint } from '../../command-endpoint';
import { complaintNotFound, domainProblem } from '../../complaint-problems';
import { AcknowledgeComplaintRequest } from '../acknowledge-complaint/acknowledge-complaint.http';
import { AssignHandlerRequest } from '../assign-handler/assign-handler.http';
import { AuthoriseRepresentativeRequest } from '../authorise-representative/authorise-representative.http';
import { CompleteRemedyRequest } from '../complete-remedy/complete-remedy.http';
import { EscalateComplaintRequest } from '../escalate-complaint/escalate-complaint.http';
import { ExtendDeadlineRequest } from '../extend-deadline/extend-deadline.http';
import { OfferRemedyRequest } from '../offer-remedy/offer-remedy.http';
import { ReceiveComplaintRequest } from '../receive-complaint/receive-complaint.http';
import { RecordCorrespondenceRequest } from '../record-correspondence/record-correspondence.http';
import { RecordNonAcceptanceRequest } from '../record-non-acceptance/record-non-acceptance.http';
import { RecordReasonableAdjustmentRequest } from '../record-reasonable-adjustment/record-reasonable-adjustment.http';
import { RefuseEscalationRequest } from '../refuse-escalation/refuse-escalation.http';
import { RespondToComplaintRequest } from '../respond-to-complaint/respond-to-complaint.http';
import { WithdrawComplaintRequest } from '../withdraw-complaint/withdraw-complaint.http';

/** The request body each command takes: a replacement is validated by the same rules as the original. */
const REQUEST_OF: Record<PersonCommand['type'], Type<object>> = {
  ReceiveComplaint: ReceiveComplaintRequest,
  AcknowledgeComplaint: AcknowledgeComplaintRequest,
  ExtendDeadline: ExtendDeadlineRequest,
  EscalateComplaint: EscalateComplaintRequest,
  RespondToComplaint: RespondToComplaintRequest,
  OfferRemedy: OfferRemedyRequest,
  CompleteRemedy: CompleteRemedyRequest,
  RecordNonAcceptance: RecordNonAcceptanceRequest,
  RefuseEscalation: RefuseEscalationRequest,
  RecordCorrespondence: RecordCorrespondenceRequest,
  RecordReasonableAdjustment: RecordReasonableAdjustmentRequest,
  AuthoriseRepresentative: AuthoriseRepresentativeRequest,
  AssignHandler: AssignHandlerRequest,
  WithdrawComplaint: WithdrawComplaintRequest,
};

export class CorrectFactRequest {
  @IsInt()
  @Min(0)
  @ApiProperty({ minimum: 0, description: 'The revision of the fact corrected, as GET …/history lists it' })
  revision!: number;

  @Text(true, 2000, 'Why the fact was wrong') reason!: string;

  @IsOptional()
  @IsObject()
  @ApiProperty({
    required: false,
    type: Object,
    description:
      "The fact as it should have been recorded: the body of the command that records it (e.g. an acknowledgement's body for an Acknowledged)",
  })
  replacement?: Record<string, unknown>;

  @IsOptional()
  @IsIn([true], { message: 'void must be true when given' })
  @ApiProperty({ required: false, enum: [true], description: 'Void the fact instead of replacing it' })
  void?: true;
}

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
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correct or void a fact people recorded (Code 5.12: the original stays on the record) — FactCorrected',
    operationId: 'CorrectFact',
  })
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
    const complaint = foldEvents((await this.store.readStream(complaintStream(id))).map(complaintEventOf));
    if (!complaint) throw complaintNotFound(id);
    const target = correctionTarget(complaint, revision);
    if (isDomainError(target)) throw domainProblem(target);
    const type = COMMAND_RECORDING[target.event.type as PersonFactType];
    const replacement = plainToInstance(REQUEST_OF[type], body);
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
