import type { LocalDate } from './london-time';

/**
 * The years the working-day calendar answers for. Holidays are computed by rule, so the range is a
 * choice, not a table's end: wide enough for migrated history and any reporting year a landlord
 * will ask about, narrow enough that a mistyped year (9999) is refused instead of counted.
 */
export const FIRST_CALENDAR_YEAR = 1990;
export const LAST_CALENDAR_YEAR = 2199;

/**
 * One-off changes proclaimed for England and Wales in the calendar's range (GOV.UK, docs/sources.md):
 * a regular holiday moved (`moved`) or an extra day granted (`added`). A proclamation after this
 * release goes in the operator's bank-holiday file (LEDGER_BANK_HOLIDAYS_FILE) until the next one.
 */
const ONE_OFFS: readonly { readonly year: number; readonly added?: LocalDate; readonly moved?: { from: LocalDate; to: LocalDate } }[] = [
  { year: 1995, moved: { from: '1995-05-01', to: '1995-05-08' } }, // VE Day 50th anniversary
  { year: 1999, added: '1999-12-31' }, // Millennium
  { year: 2002, moved: { from: '2002-05-27', to: '2002-06-04' } }, // Spring holiday moved for the Golden Jubilee
  { year: 2002, added: '2002-06-03' }, // Golden Jubilee
  { year: 2011, added: '2011-04-29' }, // Royal wedding
  { year: 2012, moved: { from: '2012-05-28', to: '2012-06-04' } }, // Spring holiday moved for the Diamond Jubilee
  { year: 2012, added: '2012-06-05' }, // Diamond Jubilee
  { year: 2020, moved: { from: '2020-05-04', to: '2020-05-08' } }, // VE Day 75th anniversary
  { year: 2022, moved: { from: '2022-05-30', to: '2022-06-02' } }, // Spring holiday moved for the Platinum Jubilee
  { year: 2022, added: '2022-06-03' }, // Platinum Jubilee
  { year: 2022, added: '2022-09-19' }, // State Funeral of Queen Elizabeth II
  { year: 2023, added: '2023-05-08' }, // Coronation of King Charles III
];

/**
 * England and Wales bank holidays in `year`, as London dates in order: New Year's Day, Good Friday,
 * Easter Monday, the first and last Mondays of May, the last Monday of August, Christmas Day and
 * Boxing Day, each falling on a weekend replaced by the next free weekday (the substitute day),
 * then the one-off changes above.
 */
export function englandAndWalesBankHolidays(year: number): LocalDate[] {
  const easter = easterSunday(year);
  const regular = [
    substituteIfWeekend(utc(year, 1, 1)),
    addDays(easter, -2),
    addDays(easter, 1),
    nthWeekday(year, 5, 1, 1),
    lastWeekday(year, 5, 1),
    lastWeekday(year, 8, 1),
    ...christmas(year),
  ].map(isoDate);
  const dates = new Set(regular);
  for (const change of ONE_OFFS.filter((oneOff) => oneOff.year === year)) {
    if (change.moved) {
      dates.delete(change.moved.from);
      dates.add(change.moved.to);
    }
    if (change.added) dates.add(change.added);
  }
  return [...dates].sort();
}

/** Christmas Day and Boxing Day; either on a weekend gives a substitute on the next free weekday. */
function christmas(year: number): Date[] {
  const weekday = utc(year, 12, 25).getUTCDay();
  if (weekday === 5) return [utc(year, 12, 25), utc(year, 12, 28)]; // Boxing Day on Saturday
  if (weekday === 6) return [utc(year, 12, 27), utc(year, 12, 28)]; // both on the weekend
  if (weekday === 0) return [utc(year, 12, 26), utc(year, 12, 27)]; // Christmas on Sunday
  return [utc(year, 12, 25), utc(year, 12, 26)];
}

/** Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
function easterSunday(year: number): Date {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const yearInCentury = year % 100;
  const leapCorrection = Math.floor(century / 4);
  const moonCorrection = Math.floor((century - Math.floor((century + 8) / 25) + 1) / 3);
  const epact = (19 * golden + century - leapCorrection - moonCorrection + 15) % 30;
  const weekdayShift = (32 + 2 * (century % 4) + 2 * Math.floor(yearInCentury / 4) - epact - (yearInCentury % 4)) % 7;
  const adjustment = Math.floor((golden + 11 * epact + 22 * weekdayShift) / 451);
  const daysFromMarch22 = epact + weekdayShift - 7 * adjustment;
  return addDays(utc(year, 3, 22), daysFromMarch22);
}

const utc = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day));
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const isoDate = (date: Date): LocalDate => date.toISOString().slice(0, 10);

function substituteIfWeekend(date: Date): Date {
  const weekday = date.getUTCDay();
  return weekday === 6 ? addDays(date, 2) : weekday === 0 ? addDays(date, 1) : date;
}

/** The `n`th given weekday (0 Sunday … 6 Saturday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  const first = utc(year, month, 1);
  return addDays(first, ((weekday - first.getUTCDay() + 7) % 7) + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, weekday: number): Date {
  const last = utc(year, month + 1, 0);
  return addDays(last, -((last.getUTCDay() - weekday + 7) % 7));
}
