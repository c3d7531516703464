import { englandAndWalesBankHolidays, FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR } from './bank-holidays';
import { isLocalDate, type LocalDate } from './london-time';

export interface CalendarOptions {
  /** Landlord closure days (e.g. 24 and 31 December), ISO dates. Off by default (decision 0001). */
  readonly closureDays?: readonly LocalDate[];
  /** Bank holidays proclaimed after this release (the operator's file): added to those computed by rule. */
  readonly extraBankHolidays?: readonly LocalDate[];
  /** Computed bank holidays a proclamation moved or cancelled (the operator's file). */
  readonly removedBankHolidays?: readonly LocalDate[];
}

const MS_PER_DAY = 86_400_000;
const FIRST_DAY_MS = Date.UTC(FIRST_CALENDAR_YEAR, 0, 1);
// One year past the last accepted year, so a deadline counted from a late-December date still lands inside.
const DAY_COUNT = (Date.UTC(LAST_CALENDAR_YEAR + 2, 0, 1) - FIRST_DAY_MS) / MS_PER_DAY;
const COMPUTED_BANK_HOLIDAYS: readonly LocalDate[] = Array.from({ length: LAST_CALENDAR_YEAR + 2 - FIRST_CALENDAR_YEAR }, (_, i) =>
  englandAndWalesBankHolidays(FIRST_CALENDAR_YEAR + i),
).flat();

/**
 * Working days under decision 0001: Monday to Friday, excluding England & Wales bank holidays and any
 * configured closure days. All arithmetic is on London calendar dates, so daylight-saving
 * changes cannot shift a count (decisions 0001, 0002).
 *
 * The calendar covers a fixed range of years (bank-holidays.ts), so it precomputes, for every day, how
 * many working days have passed: counting and adding working days are then array look-ups, which
 * keeps deadline evaluation cheap enough to run over millions of events.
 */
export class WorkingCalendar {
  private readonly working: Uint8Array = new Uint8Array(DAY_COUNT);
  /** workingSoFar[i]: working days among days 0..i. */
  private readonly workingSoFar: Uint32Array = new Uint32Array(DAY_COUNT);
  /** The index of the k-th working day (0-based). */
  private readonly workingDayIndex: number[] = [];
  private readonly dates: LocalDate[] = new Array(DAY_COUNT);
  private readonly bankHolidays: ReadonlySet<LocalDate>;

  constructor(readonly options: CalendarOptions = {}) {
    const { closureDays = [], extraBankHolidays = [], removedBankHolidays = [] } = options;
    for (const date of [...closureDays, ...extraBankHolidays, ...removedBankHolidays]) {
      if (!isLocalDate(date)) throw new RangeError(`closure or holiday date is not an ISO date: ${date}`);
    }
    const removed = new Set(removedBankHolidays);
    this.bankHolidays = new Set([...COMPUTED_BANK_HOLIDAYS.filter((date) => !removed.has(date)), ...extraBankHolidays]);
    const closed = new Set([...this.bankHolidays, ...closureDays]);
    let count = 0;
    for (let i = 0; i < DAY_COUNT; i++) {
      const day = new Date(FIRST_DAY_MS + i * MS_PER_DAY);
      const date = day.toISOString().slice(0, 10);
      const weekday = day.getUTCDay(); // 0 Sunday … 6 Saturday
      const isWorking = weekday !== 0 && weekday !== 6 && !closed.has(date);
      this.dates[i] = date;
      this.working[i] = isWorking ? 1 : 0;
      if (isWorking) {
        this.workingDayIndex.push(i);
        count += 1;
      }
      this.workingSoFar[i] = count;
    }
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.working[indexOf(date)] === 1;
  }

  isBankHoliday(date: LocalDate): boolean {
    indexOf(date);
    return this.bankHolidays.has(date);
  }

  /**
   * The date `n` working days after `start`, where `start` is day 0 whether or not it is itself a
   * working day (decision 0002): a complaint received on a Saturday has the following Monday as day 1.
   */
  addWorkingDays(start: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
    const from = indexOf(start);
    if (n === 0) return start;
    const target = this.workingDayIndex[this.workingSoFar[from]! + n - 1];
    if (target === undefined) throw outsideCalendar(`${start} + ${n} working days`);
    return this.dates[target]!;
  }

  /**
   * The working day `n` working days before `date`: the latest day from which adding `n` working
   * days does not pass `date` (so `addWorkingDays(result, n)` is `date` when `date` is a working day).
   */
  workingDaysBefore(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
    const target = this.workingDayIndex[this.workingSoFar[indexOf(date)]! - 1 - n];
    if (target === undefined) throw outsideCalendar(`${date} − ${n} working days`);
    return this.dates[target]!;
  }

  /**
   * Working days in (from, to]: the count `addWorkingDays` would need to get from `from` to `to`
   * (exact when `to` is a working day). Negative when `to` is before `from`.
   */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    return this.workingSoFar[indexOf(to)]! - this.workingSoFar[indexOf(from)]!;
  }
}

// Every calendar question starts here; the dates seen are remembered (at most DAY_COUNT of them,
// only valid ones) so the check and the arithmetic run once per date.
const dayIndexes = new Map<LocalDate, number>();

function indexOf(date: LocalDate): number {
  const known = dayIndexes.get(date);
  if (known !== undefined) return known;
  if (!isLocalDate(date)) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${date}`);
  const index = (Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) - FIRST_DAY_MS) / MS_PER_DAY;
  if (index < 0 || index >= DAY_COUNT) throw outsideCalendar(date);
  dayIndexes.set(date, index);
  return index;
}

// Outside the range the callers validated against, a date is a programming error: refuse, never guess.
function outsideCalendar(what: string): RangeError {
  return new RangeError(`working-day calendar covers ${FIRST_CALENDAR_YEAR}–${LAST_CALENDAR_YEAR + 1}; ${what} is outside it`);
}
