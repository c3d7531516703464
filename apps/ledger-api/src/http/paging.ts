import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { decodeCursor } from '@complaint-ledger/projections';
import { invalidRequest } from './problem';

/** `cursor` and `limit`, shared by every paged list. */
export class PageQuery {
  @IsOptional()
  @IsString()
  @ApiProperty({ required: false, description: 'nextCursor from the previous page' })
  cursor?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(500)
  @ApiProperty({ required: false, minimum: 1, maximum: 500, default: 50 })
  limit?: number;
}

/** A cursor this service did not issue is the client's mistake: 400 naming the field. */
export function checkedCursor(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !decodeCursor(cursor)) {
    throw invalidRequest([{ field: 'cursor', rule: 'isCursor', message: 'cursor must be a nextCursor returned by this endpoint' }]);
  }
  return cursor;
}
