import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { toInstant } from '@complaint-ledger/domain';
import { listAlerts, type ReadSide } from '@complaint-ledger/projections';
import { Instant, OneOf } from '../http/dto-fields';
import { checkedCursor, PageQuery } from '../http/paging';
import { READ_SIDE } from '../infrastructure/tokens';
import { Roles } from '../auth/roles';

const KINDS = ['acknowledgement', 'stage1Response', 'stage2Acknowledgement', 'stage2Response', 'remedy'];

export class ListBreachesQuery extends PageQuery {
  @Instant(false, 'recorded at or after this instant')
  from?: string;

  @Instant(false, 'recorded at or before this instant')
  to?: string;

  @OneOf(KINDS, false)
  kind?: string;

  @OneOf(['DeadlineBreached', 'DeadlineApproaching'], false, 'default: DeadlineBreached')
  type?: 'DeadlineBreached' | 'DeadlineApproaching';
}

@ApiTags('queries')
@Controller('v1/breaches')
@Roles('analyst', 'auditor')
export class BreachesController {
  constructor(@Inject(READ_SIDE) private readonly readSide: ReadSide) {}

  @Get()
  @ApiOperation({ summary: 'Deadline breaches the ledger has recorded (or, with type=DeadlineApproaching, its warnings)' })
  list(@Query() query: ListBreachesQuery) {
    const { cursor, limit = 50, from, to, kind, type = 'DeadlineBreached' } = query;
    const page = listAlerts(
      this.readSide.db,
      { from: from && toInstant(from), to: to && toInstant(to), kind, type },
      checkedCursor(cursor),
      limit,
    );
    return { ...page, asOfPosition: this.readSide.runner.position };
  }
}
