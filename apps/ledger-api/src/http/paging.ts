import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

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
