import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { BreachesPage } from '../http/responses';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { toInstant } from '@complaint-ledger/domain';
import type { Ledger } from '@complaint-ledger/ledger';
import { Instant, OneOf } from '../http/dto-fields';
import { PageQuery } from '../http/paging';
import { CLOCK, LEDGER, type Clock } from '../infrastructure/tokens';
import { KNOWN_AT, MinPosition, pointInTimeOf } from '../http/point-in-time';
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

  @OneOf(
    ['true', 'false'],
    false,
    'also list breaches that facts recorded later disproved, with their retraction (default: false, the current truth)',
  )
  includeRetracted?: 'true' | 'false';

  @Instant(false, 'Business time: breaches of deadlines due by then (decision 0018)') asOf?: string;
  @Instant(false, KNOWN_AT) knownAt?: string;
  @MinPosition() minPosition?: number;
}

@ApiTags('queries')
@Controller('v1/breaches')
@Roles('analyst', 'auditor')
export class BreachesController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'ListBreaches',
    summary:
      'Deadlines not met on time, whether the sweep found them or a late fact revealed them, less those later facts disproved (decision 0017); with type=DeadlineApproaching, the warnings',
  })
  async list(@Query() query: ListBreachesQuery): Promise<BreachesPage> {
    const { cursor, limit = 50, from, to, kind, type = 'DeadlineBreached', includeRetracted, asOf, knownAt, minPosition } = query;
    const at = pointInTimeOf({ asOf, knownAt }, this.clock());
    const filter = { from: from && toInstant(from), to: to && toInstant(to), kind, type, includeRetracted: includeRetracted === 'true' };
    await this.ledger.queries.caughtUpTo(minPosition);
    return this.ledger.queries.readModels.breaches(filter, { cursor, limit }, at);
  }
}
