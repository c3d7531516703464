import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { TsmStatistics } from '../http/responses';
import { MinPosition, PointInTimeQuery, pointInTimeOf } from '../http/point-in-time';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR } from '@complaint-ledger/domain';
import type { Ledger } from '@complaint-ledger/ledger';
import { CLOCK, LEDGER, type Clock } from '../infrastructure/tokens';
import { Roles } from '../auth/roles';

export class TsmQuery extends PointInTimeQuery {
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(FIRST_CALENDAR_YEAR)
  @Max(LAST_CALENDAR_YEAR)
  @ApiProperty({ description: 'first calendar year of the reporting year: 2024 is 1 April 2024 – 31 March 2025', example: 2024 })
  year!: number;

  @MinPosition() minPosition?: number;
}

@ApiTags('queries')
@Controller('v1/statistics')
@Roles('analyst', 'auditor')
export class TsmController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('tsm')
  @ApiOperation({
    operationId: 'GetTsmStatistics',
    summary: 'TSM CH01 and CH02 for a reporting year, per tenure and in total (counted as docs/decisions/0007-tsm-counting.md says)',
  })
  async tsm(@Query() query: TsmQuery): Promise<TsmStatistics> {
    const at = pointInTimeOf(query, this.clock());
    await this.ledger.queries.caughtUpTo(query.minPosition);
    return this.ledger.queries.readModels.tsm(query.year, at);
  }
}
