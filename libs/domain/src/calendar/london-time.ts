import { DateTime } from 'luxon';

/** Every clock in the Code is counted in England: dates are London dates (D1, D2). */
export const LONDON = 'Europe/London';

/** An ISO calendar date, `YYYY-MM-DD`, meaning that day in Europe/London. */
export type LocalDate = string;
/** An ISO-8601 instant in UTC, `2024-05-01T09:15:00.000Z`. */
export type Instant = string;

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: string): boolean {
  if (!LOCAL_DATE.test(value)) return false;
  const [year, month, day] = [+value.slice(0, 4), +value.slice(5, 7), +value.slice(8, 10)];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Parses an ISO instant; one without an offset, or a bare date (its midnight), is read as London
 * time, never the machine's zone. Null when invalid.
 */
export function parseInstant(value: string): DateTime | null {
  const parsed = DateTime.fromISO(value, { zone: LONDON, setZone: true });
  return parsed.isValid ? parsed.toUTC() : null;
}

/** Normalises an instant (or a London date) to the canonical UTC ISO form stored in events. */
export function toInstant(value: string): Instant {
  const parsed = parseInstant(value);
  if (!parsed) throw new RangeError(`not an ISO-8601 instant or date: ${value}`);
  return parsed.toISO()!;
}

/** The London calendar date an instant falls on. */
export function londonDateOf(instant: Instant): LocalDate {
  const parsed = parseInstant(instant);
  if (!parsed) throw new RangeError(`not an ISO-8601 instant: ${instant}`);
  return parsed.setZone(LONDON).toISODate()!;
}

/** A deadline ends at 23:59:59.999 London time on its last day (D2). */
export function endOfLondonDay(date: LocalDate): Instant {
  return DateTime.fromISO(date, { zone: LONDON }).endOf('day').toUTC().toISO()!;
}

/** Midnight at the start of a London day, as a UTC instant. */
export function startOfLondonDay(date: LocalDate): Instant {
  return DateTime.fromISO(date, { zone: LONDON }).startOf('day').toUTC().toISO()!;
}

/** Orders two stored instants (ISO-8601 with an offset or Z). */
export function compareInstants(a: Instant, b: Instant): number {
  return Date.parse(a) - Date.parse(b);
}

export function isAfter(a: Instant, b: Instant): boolean {
  return compareInstants(a, b) > 0;
}

export function latestOf(a: Instant, b: Instant): Instant {
  return isAfter(a, b) ? a : b;
}

/** Adds calendar months with end-of-month clamping (31 Jan + 1 month = 28/29 Feb), in London dates. */
export function addCalendarMonths(date: LocalDate, months: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ months }).toISODate()!;
}
