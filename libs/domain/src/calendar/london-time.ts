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

// Stored instants carry `Z` or an offset. For those, the London date comes from UK summer-time
// rules (BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
// October, in force since 1996) rather than luxon's Intl-based zone lookup, which costs ~20 µs a
// call and dominated deadline evaluation. london-date.unit.spec.ts checks it against luxon hour by hour.
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const HOUR_MS = 3_600_000;
const summerTime = new Map<number, readonly [number, number]>();

function lastSundayAtOneUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  return lastDay - new Date(lastDay).getUTCDay() * 24 * HOUR_MS + HOUR_MS;
}

function londonOffsetMs(epochMs: number): number {
  const year = new Date(epochMs).getUTCFullYear();
  let bounds = summerTime.get(year);
  if (!bounds) summerTime.set(year, (bounds = [lastSundayAtOneUtc(year, 2), lastSundayAtOneUtc(year, 9)]));
  return epochMs >= bounds[0] && epochMs < bounds[1] ? HOUR_MS : 0;
}

// Deadline evaluation asks for the London dates of the same instants again and again: a sweep's
// asOf, the due instants every complaint due that day shares, and each complaint's own instants
// every time it is re-evaluated. Remembered (bounded), they cost a lookup.
const londonDates = new Map<Instant, LocalDate>();
const REMEMBERED_DATES = 100_000;

/** The London calendar date an instant falls on. */
export function londonDateOf(instant: Instant): LocalDate {
  let date = londonDates.get(instant);
  if (date === undefined) {
    date = computeLondonDate(instant);
    if (londonDates.size >= REMEMBERED_DATES) londonDates.clear();
    londonDates.set(instant, date);
  }
  return date;
}

function computeLondonDate(instant: Instant): LocalDate {
  if (WITH_OFFSET.test(instant)) {
    const epochMs = Date.parse(instant);
    if (!Number.isNaN(epochMs) && instant.length >= 16) return new Date(epochMs + londonOffsetMs(epochMs)).toISOString().slice(0, 10);
  }
  const parsed = parseInstant(instant);
  if (!parsed) throw new RangeError(`not an ISO-8601 instant: ${instant}`);
  return parsed.setZone(LONDON).toISODate()!;
}

/** A deadline ends at 23:59:59.999 London time on its last day (D2). */
const endsOfDays = new Map<LocalDate, Instant>();
export function endOfLondonDay(date: LocalDate): Instant {
  let end = endsOfDays.get(date);
  if (end === undefined) endsOfDays.set(date, (end = DateTime.fromISO(date, { zone: LONDON }).endOf('day').toUTC().toISO()!));
  return end;
}

/** Midnight at the start of a London day, as a UTC instant. */
const startsOfDays = new Map<LocalDate, Instant>();
export function startOfLondonDay(date: LocalDate): Instant {
  let start = startsOfDays.get(date);
  if (start === undefined) startsOfDays.set(date, (start = DateTime.fromISO(date, { zone: LONDON }).startOf('day').toUTC().toISO()!));
  return start;
}

/** Orders two stored instants (ISO-8601 with an offset or Z): negative, zero or positive. */
export function compareInstants(a: Instant, b: Instant): number {
  // Deadlines are compared in every evaluation; instants both in UTC's one fixed form order as text.
  if (isUtcMillis(a) && isUtcMillis(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Date.parse(a) - Date.parse(b);
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, as Date#toISOString and luxon's toUTC().toISO() write (years 0000–9999). */
function isUtcMillis(instant: string): boolean {
  return (
    instant.length === 24 &&
    instant.charCodeAt(23) === 90 && // Z
    instant.charCodeAt(19) === 46 && // .
    instant.charCodeAt(10) === 84 && // T
    instant.charCodeAt(4) === 45 &&
    instant.charCodeAt(7) === 45 &&
    instant.charCodeAt(13) === 58 &&
    instant.charCodeAt(16) === 58
  );
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
