import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { ComplaintListPage } from '../../http/responses';
import { AS_OF, KNOWN_AT, MinPosition, pointInTimeOf } from '../../http/point-in-time';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { COMPLAINT_STATUSES, type ComplaintStatus, type Stage, type Tenure } from '@complaint-ledger/domain';
import type { Ledger } from '@complaint-ledger/ledger';
import { Instant, LocalDay, OneOf } from '../../http/dto-fields';
import { PageQuery } from '../../http/paging';
import { CLOCK, LEDGER, type Clock } from '../../infrastructure/tokens';
import { Roles } from '../../auth/roles';
import { RevealsPersonalData } from '../../http/reveal';

export class ListComplaintsQuery extends PageQuery {
  @OneOf(COMPLAINT_STATUSES, false)
  status?: ComplaintStatus;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsIn([1, 2])
  @ApiProperty({ required: false, enum: [1, 2] })
  stage?: Stage;

  @OneOf(['true', 'false'], false, 'complaints with (or without) a breach that holds: recorded and not retracted')
  breached?: 'true' | 'false';

  @OneOf(['LCRA', 'LCHO'], false)
  tenure?: Tenure;

  @LocalDay(false, 'received on or after this London date')
  receivedFrom?: string;

  @LocalDay(false, 'received on or before this London date')
  receivedTo?: string;

  @Instant(false, AS_OF) asOf?: string;
  @Instant(false, KNOWN_AT) knownAt?: string;
  @MinPosition() minPosition?: number;
}

@ApiTags('queries')
@Controller('v1/complaints')
@Roles('case_handler', 'auditor')
export class ComplaintListController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RevealsPersonalData()
  @ApiOperation({
    operationId: 'ListComplaints',
    summary:
      'List complaints, newest first, from the complaints read model (paged by cursor); at asOf/knownAt, as they stood or were known then',
  })
  async list(@Query() query: ListComplaintsQuery): Promise<ComplaintListPage> {
    const { cursor, limit = 50, breached, asOf, knownAt, minPosition, ...filter } = query;
    const at = pointInTimeOf({ asOf, knownAt }, this.clock());
    const complaints = { ...filter, ...(breached ? { breached: breached === 'true' } : {}) };
    await this.ledger.queries.caughtUpTo(minPosition);
    return this.ledger.queries.readModels.list(complaints, { cursor, limit }, at);
  }
}
