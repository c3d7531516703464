import { DateTime } from 'luxon';
import { ENGLAND_AND_WALES_BANK_HOLIDAYS, FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR } from './bank-holidays';
import { isLocalDate, type LocalDate } from './london-time';

export interface CalendarOptions {
  /** Landlord closure days (e.g. 24 and 31 December), ISO dates. Off by default (A6). */
  readonly closureDays?: readonly LocalDate[];
  /** Bank holidays to add, e.g. a newly proclaimed one-off, until the shipped table is updated. */
  readonly extraBankHolidays?: readonly LocalDate[];
}

/**
 * Working days under D1: Monday to Friday, excluding England & Wales bank holidays and any
 * configured closure days. All arithmetic is on London calendar dates, so daylight-saving
 * changes cannot shift a count (D1, D2, A5).
 */
export class WorkingCalendar {
  private readonly nonWorking: ReadonlySet<LocalDate>;

  constructor(options: CalendarOptions = {}) {
    const extra = [...(options.closureDays ?? []), ...(options.extraBankHolidays ?? [])];
    for (const date of extra) {
      if (!isLocalDate(date)) throw new RangeError(`closure or holiday date is not an ISO date: ${date}`);
    }
    this.nonWorking = new Set([...Object.values(ENGLAND_AND_WALES_BANK_HOLIDAYS).flat(), ...extra]);
  }

  isWorkingDay(date: LocalDate): boolean {
    const day = toDay(date);
    return day.weekday <= 5 && !this.nonWorking.has(date);
  }

  isBankHoliday(date: LocalDate): boolean {
    const year = toDay(date).year;
    return (ENGLAND_AND_WALES_BANK_HOLIDAYS[year] ?? []).includes(date);
  }

  /**
   * The date `n` working days after `start`, where `start` is day 0 whether or not it is itself a
   * working day (D2): a complaint received on a Saturday has the following Monday as day 1.
   */
  addWorkingDays(start: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
    let day = toDay(start);
    for (let counted = 0; counted < n; ) {
      day = day.plus({ days: 1 });
      if (this.isWorkingDay(day.toISODate()!)) counted += 1;
    }
    this.assertCovered(day);
    return day.toISODate()!;
  }

  /**
   * Working days in (from, to]: the count `addWorkingDays` would need to get from `from` to `to`
   * (exact when `to` is a working day). Negative when `to` is before `from`.
   */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    if (to < from) return -this.workingDaysBetween(to, from);
    let day = toDay(from);
    const end = toDay(to);
    let count = 0;
    while (day < end) {
      day = day.plus({ days: 1 });
      if (this.isWorkingDay(day.toISODate()!)) count += 1;
    }
    this.assertCovered(end);
    return count;
  }

  private assertCovered(day: DateTime): void {
    // Past the shipped table every weekday would silently count as working: refuse instead.
    if (day.year < FIRST_CALENDAR_YEAR || day.year > LAST_CALENDAR_YEAR) {
      throw new RangeError(
        `working-day calendar covers ${FIRST_CALENDAR_YEAR}–${LAST_CALENDAR_YEAR}; ${day.toISODate()} is outside it`,
      );
    }
  }
}

function toDay(date: LocalDate): DateTime {
  const day = DateTime.fromISO(date, { zone: 'utc' });
  if (!isLocalDate(date)) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${date}`);
  return day;
}
