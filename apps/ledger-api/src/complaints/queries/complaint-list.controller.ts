import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import type { ComplaintStatus, Stage, Tenure } from '@complaint-ledger/domain';
import { listComplaints, type ReadSide } from '@complaint-ledger/projections';
import { LocalDay, OneOf } from '../../http/dto-fields';
import { checkedCursor, PageQuery } from '../../http/paging';
import { READ_SIDE } from '../../infrastructure/tokens';
import { Roles } from '../../auth/roles';

const STATUSES: ComplaintStatus[] = ['open', 'responded', 'closed', 'escalation_refused', 'not_accepted', 'withdrawn'];

export class ListComplaintsQuery extends PageQuery {
  @OneOf(STATUSES, false)
  status?: ComplaintStatus;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsIn([1, 2])
  @ApiProperty({ required: false, enum: [1, 2] })
  stage?: Stage;

  @OneOf(['true', 'false'], false, 'complaints with (or without) a recorded DeadlineBreached')
  breached?: 'true' | 'false';

  @OneOf(['LCRA', 'LCHO'], false)
  tenure?: Tenure;

  @LocalDay(false, 'received on or after this London date')
  receivedFrom?: string;

  @LocalDay(false, 'received on or before this London date')
  receivedTo?: string;
}

@ApiTags('queries')
@Controller('v1/complaints')
@Roles('case_handler', 'auditor')
export class ComplaintListController {
  constructor(@Inject(READ_SIDE) private readonly readSide: ReadSide) {}

  @Get()
  @ApiOperation({ summary: 'List complaints, newest first, from the complaints read model (paged by cursor)' })
  list(@Query() query: ListComplaintsQuery) {
    const { cursor, limit = 50, breached, ...filter } = query;
    const page = listComplaints(
      this.readSide.db,
      { ...filter, ...(breached ? { breached: breached === 'true' } : {}) },
      checkedCursor(cursor),
      limit,
    );
    return { ...page, asOfPosition: this.readSide.runner.position };
  }
}
