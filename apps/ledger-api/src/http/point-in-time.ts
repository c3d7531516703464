import {
  FIRST_CALENDAR_YEAR,
  isAfter,
  LAST_CALENDAR_YEAR,
  londonDateOf,
  toInstant,
  type Instant as UtcInstant,
} from '@complaint-ledger/domain';
import type { PointInTime } from '@complaint-ledger/ledger';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { Instant } from './dto-fields';
import { invalidRequest, type FieldError } from './problem';

export const AS_OF =
  'Business time: as things stood then, from the facts dated on or before it, as the ledger knows them now (a bare date is its London midnight; decision 0018)';
export const KNOWN_AT = 'Record time: only what the ledger had recorded by then (decision 0018)';

export const MIN_POSITION =
  "Read your own write: answer only once the read models have reached this log position (a command's `position`); 503 READ_MODELS.BEHIND if they have not within a few seconds";

/** `minPosition`, on every answer from the read models. */
export const MinPosition = () => (target: object, property: string) => {
  Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : Number(value)))(target, property);
  IsOptional()(target, property);
  IsInt()(target, property);
  Min(-1)(target, property);
  ApiProperty({ required: false, description: MIN_POSITION, minimum: -1 })(target, property);
};

/** `asOf` and `knownAt`: the two times every view of the ledger can be asked at. */
export class PointInTimeQuery {
  @Instant(false, AS_OF) asOf?: string;
  @Instant(false, KNOWN_AT) knownAt?: string;
}

/** Only `knownAt`: for what shows the record itself (history, export, integrity), which has no business time. */
export class KnownAtQuery {
  @Instant(false, KNOWN_AT) knownAt?: string;
}

/**
 * The instants asked for, in UTC, refused (400, naming the field) when in the future — the ledger
 * does not know it yet, and deadlines judged there would be fiction — or outside the calendar.
 */
export function pointInTimeOf(query: { asOf?: string; knownAt?: string }, now: UtcInstant): PointInTime {
  const errors: FieldError[] = [];
  const checked = (field: 'asOf' | 'knownAt'): UtcInstant | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const instant = toInstant(value);
    const year = Number(londonDateOf(instant).slice(0, 4));
    if (year < FIRST_CALENDAR_YEAR || year > LAST_CALENDAR_YEAR) {
      errors.push({
        field,
        rule: 'withinCalendar',
        message: `${field} must fall between ${FIRST_CALENDAR_YEAR} and ${LAST_CALENDAR_YEAR}`,
      });
    } else if (isAfter(instant, now)) {
      errors.push({
        field,
        rule: 'notInFuture',
        message: `${field} (${instant}) is after now (${now}): the ledger cannot know the future`,
      });
    }
    return instant;
  };
  const at = { asOf: checked('asOf'), knownAt: checked('knownAt') };
  if (errors.length) throw invalidRequest(errors);
  return Object.fromEntries(Object.entries(at).filter(([, value]) => value !== undefined));
}
