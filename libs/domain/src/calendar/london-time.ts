import { DateTime } from 'luxon';

/** Every clock in the Code is counted in England: dates are London dates (decisions 0001, 0002). */
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
  const epochMs = instantMillis(value);
  return epochMs === null ? null : DateTime.fromMillis(epochMs, { zone: 'utc' });
}

/** What `parseInstant` reads, as milliseconds since the epoch, without building a DateTime for the everyday forms. Null when invalid. */
export function instantMillis(value: string): number | null {
  const epochMs = offsetInstantMs(value);
  if (epochMs !== undefined) return epochMs;
  const parsed = DateTime.fromISO(value, { zone: LONDON, setZone: true });
  if (!parsed.isValid) return null;
  // a London wall-clock time the clocks skipped (01:30 on the last Sunday of March) or passed twice (01:30 on the last
  // Sunday of October) names no one instant: refused rather than guessed (luxon would move the first, take the BST one)
  if (parsed.zoneName === LONDON && !isLocalDate(value) && !isOneInstant(parsed, DateTime.fromISO(value, { zone: 'utc' }))) return null;
  return parsed.toMillis();
}

/**
 * Whether luxon's reading of a wall-clock time in its zone (`reading`) is the one instant showing
 * that time there: not one the clocks skipped (luxon moves it on, so it no longer shows the time
 * `asWritten`, the same text read in UTC), nor one they passed twice (an hour either side shows it too).
 */
export function isOneInstant(reading: DateTime, asWritten: DateTime): boolean {
  const wall = (at: DateTime) => at.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
  if (wall(reading) !== wall(asWritten)) return false;
  return ![-HOUR_MS, HOUR_MS].some((shift) => wall(reading.plus(shift)) === wall(reading));
}

const YEAR_1000_MS = Date.UTC(1000, 0, 1);
const YEAR_10000_MS = Date.UTC(10000, 0, 1);

/** The canonical stored form of an instant (`toInstant`'s), from its milliseconds since the epoch. */
export function instantOfMillis(epochMs: number): Instant {
  // Date writes the same form as luxon's toUTC().toISO() for four-digit years; others take luxon's own
  if (epochMs >= YEAR_1000_MS && epochMs < YEAR_10000_MS) return new Date(epochMs).toISOString();
  return DateTime.fromMillis(epochMs, { zone: 'utc' }).toISO()!;
}

// An instant with Z or an offset in the everyday form — what housing systems send and what the
// ledger stores — is read here directly, character by character, several times faster than luxon
// and without the garbage a regular expression's match leaves (every command reads two or three).
// The form: YYYY-MM-DDTHH:mm[:ss[.s{1,3}]] then Z or ±HH:MM (T and Z in either case). Only a form
// whose every field is in range is read; anything else (no offset, hour 24, a fraction finer than
// milliseconds, week or ordinal dates, an offset beyond ±14:00) is left to luxon, so what is
// accepted and what it means do not change (london-date.unit.spec.ts compares the two).
function offsetInstantMs(value: string): number | undefined {
  const length = value.length;
  if (length < 17 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(13) !== 58) return undefined;
  const t = value.charCodeAt(10);
  if (t !== 84 && t !== 116) return undefined; // T or t
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  let at = 16;
  let second = 0;
  let millisecond = 0;
  if (value.charCodeAt(at) === 58) {
    second = digitsAt(value, at + 1, 2);
    at += 3;
    if (value.charCodeAt(at) === 46) {
      let digits = 0;
      let fraction = 0;
      while (digits < 3 && isDigit(value.charCodeAt(at + 1 + digits))) fraction = fraction * 10 + value.charCodeAt(at + 1 + digits++) - 48;
      if (digits === 0) return undefined;
      millisecond = digits === 1 ? fraction * 100 : digits === 2 ? fraction * 10 : fraction;
      at += 1 + digits;
    }
  }
  let offsetMs = 0;
  const zone = value.charCodeAt(at);
  if (zone === 90 || zone === 122) {
    if (at + 1 !== length) return undefined; // Z or z, last
  } else if ((zone === 43 || zone === 45) && at + 6 === length && value.charCodeAt(at + 3) === 58) {
    const offsetHours = digitsAt(value, at + 1, 2);
    const offsetMinutes = digitsAt(value, at + 4, 2);
    if (offsetHours < 0 || offsetMinutes < 0 || offsetHours > 14 || offsetMinutes > 59) return undefined;
    offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (zone === 45 ? -1 : 1);
  } else return undefined;
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59)
    return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMs;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Days in a month of the Gregorian calendar (month 1–12). */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal number in `count` digits at `from`, or -1 when any of them is not a digit. */
function digitsAt(value: string, from: number, count: number): number {
  let number = 0;
  for (let i = from; i < from + count; i++) {
    const code = value.charCodeAt(i);
    if (!isDigit(code)) return -1;
    number = number * 10 + code - 48;
  }
  return number;
}

/** Normalises an instant (or a London date) to the canonical UTC ISO form stored in events. */
export function toInstant(value: string): Instant {
  // already canonical (what the ledger stores and judges at): returned as it is, without a round trip through luxon
  if (isUtcMillis(value)) {
    const epochMs = Date.parse(value);
    if (!Number.isNaN(epochMs) && new Date(epochMs).toISOString() === value) return value;
  }
  const epochMs = instantMillis(value);
  if (epochMs === null) throw new RangeError(`not an ISO-8601 instant or date: ${value}`);
  return instantOfMillis(epochMs);
}

// Stored instants carry `Z` or an offset. For those, the London date comes from UK summer-time
// rules (BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
// October, in force since 1996; earlier instants take luxon's path, which knows the older rules) rather than luxon's Intl-based zone lookup, which would dominate
// deadline evaluation. london-date.unit.spec.ts checks it against luxon hour by hour.
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const HOUR_MS = 3_600_000;
const CURRENT_RULES_FROM_MS = Date.UTC(1996, 0, 1);
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
const REMEMBERED_DATES = 20_000;

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

/** The London calendar year an instant (as milliseconds since the epoch) falls in, without writing it out first. */
export function londonYearOfMillis(epochMs: number): number {
  if (epochMs >= CURRENT_RULES_FROM_MS && epochMs < YEAR_10000_MS) return new Date(epochMs + londonOffsetMs(epochMs)).getUTCFullYear();
  return Number(londonDateOf(instantOfMillis(epochMs)).slice(0, -6)); // earlier rules (luxon's), and years beyond four digits
}

function computeLondonDate(instant: Instant): LocalDate {
  if (WITH_OFFSET.test(instant)) {
    const epochMs = Date.parse(instant);
    if (epochMs >= CURRENT_RULES_FROM_MS && instant.length >= 16)
      return new Date(epochMs + londonOffsetMs(epochMs)).toISOString().slice(0, 10);
  }
  const parsed = parseInstant(instant);
  if (!parsed) throw new RangeError(`not an ISO-8601 instant: ${instant}`);
  return parsed.setZone(LONDON).toISODate()!;
}

/** A deadline ends at 23:59:59.999 London time on its last day (decision 0002). */
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

/** Adds (or, negative, takes away) calendar days to a `YYYY-MM-DD` date. */
export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Adds calendar months with end-of-month clamping (31 Jan + 1 month = 28/29 Feb), in London dates. */
export function addCalendarMonths(date: LocalDate, months: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ months }).toISODate()!;
}
