import fc from 'fast-check';
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { endOfLondonDay, englandAndWalesBankHolidays, londonDateOf, toInstant, WorkingCalendar } from '../src';

const calendar = new WorkingCalendar();

/** Copied by hand from GOV.UK's england-and-wales feed (docs/sources.md): the independent expectation. */
const GOV_UK_2019_2028 = `
2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-08-26 2019-12-25 2019-12-26
2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28
2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28
2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27
2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26
2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26
2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28
2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28
2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26`
  .trim()
  .split(/\s+/);

const bankHolidays = (year: number) => englandAndWalesBankHolidays(year);

/** date-holidays' weekday public holidays for England: an independent implementation of the same rules. */
function libraryHolidays(year: number): string[] {
  const dates = new Holidays('GB', 'ENG')
    .getHolidays(year)
    .filter((holiday) => holiday.type === 'public')
    .map((holiday) => holiday.date.slice(0, 10))
    .filter((date) => DateTime.fromISO(date, { zone: 'utc' }).weekday <= 5);
  return [...new Set(dates)].sort();
}

describe('bank holidays by rule (decision 0001)', () => {
  it('gives exactly the 83 GOV.UK dates for 2019–2028', () => {
    const computed = Array.from({ length: 10 }, (_, i) => bankHolidays(2019 + i)).flat();
    expect(computed).toEqual(GOV_UK_2019_2028);
  });

  it.each(GOV_UK_2019_2028)('%s is a bank holiday and not a working day', (date) => {
    expect(calendar.isBankHoliday(date)).toBe(true);
    expect(calendar.isWorkingDay(date)).toBe(false);
  });

  it.each([
    ['2020-05-04', 'the Early May holiday moved to VE Day, 8 May'],
    ['2022-05-30', 'the Spring holiday moved to 2 June for the Platinum Jubilee'],
    ['2012-05-28', 'the Spring holiday moved to 4 June for the Diamond Jubilee'],
  ])('%s is a working day (%s)', (date) => {
    expect(calendar.isWorkingDay(date)).toBe(true);
  });

  it.each(['2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08', '2020-05-08', '2011-04-29', '1999-12-31'])(
    'one-off %s is not a working day',
    (date) => {
      expect(calendar.isWorkingDay(date)).toBe(false);
    },
  );

  it('agrees with date-holidays (GB/ENG) on every weekday public holiday, 1990–2040', () => {
    // Proclamations date-holidays does not know: Early May moved to VE Day (1995), the Millennium holiday (1999),
    // the Golden Jubilee (2002: Spring moved to 4 June, 3 June added), the royal wedding (2011),
    // and the Diamond Jubilee's move of the Spring holiday to 4 June (2012).
    const libraryGaps: Record<number, (dates: string[]) => string[]> = {
      1995: (dates) => dates.map((date) => (date === '1995-05-01' ? '1995-05-08' : date)),
      1999: (dates) => [...dates, '1999-12-31'],
      2011: (dates) => [...dates, '2011-04-29'].sort(),
      2012: (dates) => dates.map((date) => (date === '2012-05-28' ? '2012-06-04' : date)).sort(),
      2002: (dates) => [...dates.filter((date) => date !== '2002-05-27'), '2002-06-03', '2002-06-04'].sort(),
    };
    for (let year = 1990; year <= 2040; year++) {
      const expected = (libraryGaps[year] ?? ((dates) => dates))(libraryHolidays(year));
      expect([year, bankHolidays(year)]).toEqual([year, expected]);
    }
  });

  it('property: any year 1990–2199 has eight or more holidays, all weekdays in the year, Easter Monday three days after Good Friday', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1990, max: 2199 }), (year) => {
        const dates = bankHolidays(year);
        expect(dates.length).toBeGreaterThanOrEqual(8);
        for (const date of dates) {
          expect(date.startsWith(String(year))).toBe(true);
          expect(DateTime.fromISO(date, { zone: 'utc' }).weekday).toBeLessThanOrEqual(5);
        }
        const goodFriday = DateTime.fromISO(dates[1]!, { zone: 'utc' });
        expect(goodFriday.weekday).toBe(5);
        expect(dates[2]).toBe(goodFriday.plus({ days: 3 }).toISODate());
      }),
      { numRuns: 300 },
    );
  });

  it("takes the operator's proclamations: days added and computed days removed", () => {
    const proclaimed = new WorkingCalendar({ extraBankHolidays: ['2031-06-06'], removedBankHolidays: ['2031-05-26'] });
    expect(proclaimed.isBankHoliday('2031-06-06')).toBe(true);
    expect(proclaimed.isWorkingDay('2031-06-06')).toBe(false);
    expect(proclaimed.isWorkingDay('2031-05-26')).toBe(true);
    expect(calendar.isWorkingDay('2031-05-26')).toBe(false);
  });
});

describe('working-day arithmetic (decision 0002)', () => {
  it.each([
    ['2024-05-13', 5, '2024-05-20', 'Monday + 5 is the next Monday'],
    ['2024-05-01', 5, '2024-05-09', 'across the Early May bank holiday'],
    ['2024-06-08', 1, '2024-06-10', 'a Saturday start is day 0; Monday is day 1'],
    ['2024-06-09', 5, '2024-06-14', 'a Sunday start'],
    ['2024-12-23', 5, '2025-01-02', 'across Christmas, Boxing Day and New Year'],
    ['2025-04-17', 5, '2025-04-28', 'across Good Friday and Easter Monday'],
    ['2022-05-31', 3, '2022-06-07', 'across the Jubilee weekend'],
    ['2024-05-01', 0, '2024-05-01', 'zero days is the start day itself'],
  ])('%s + %i working days = %s (%s)', (start, n, expected) => {
    expect(calendar.addWorkingDays(start, n)).toBe(expected);
    if (n > 0) expect(calendar.workingDaysBetween(start, expected)).toBe(n);
  });

  it('counts working days in (from, to], negative backwards', () => {
    expect(calendar.workingDaysBetween('2024-05-09', '2024-05-13')).toBe(2);
    expect(calendar.workingDaysBetween('2024-05-13', '2024-05-09')).toBe(-2);
    expect(calendar.workingDaysBetween('2024-05-10', '2024-05-12')).toBe(0);
  });

  it('takes landlord closure days as extra non-working days (decision 0001)', () => {
    const closing = new WorkingCalendar({ closureDays: ['2024-12-24', '2024-12-31'] });
    expect(calendar.addWorkingDays('2024-12-23', 5)).toBe('2025-01-02');
    expect(closing.addWorkingDays('2024-12-23', 5)).toBe('2025-01-06');
    expect(closing.isBankHoliday('2024-12-24')).toBe(false);
  });

  it('refuses malformed configuration and dates', () => {
    expect(() => new WorkingCalendar({ closureDays: ['24/12/2024'] })).toThrow(/ISO date/);
    expect(() => calendar.addWorkingDays('2024-02-30', 1)).toThrow(/ISO date/);
    expect(() => calendar.addWorkingDays('2024-05-01', -1)).toThrow(RangeError);
  });

  it('counts across the years past 2030 that a fixed table once ended at', () => {
    expect(calendar.addWorkingDays('2030-12-20', 10)).toBe('2031-01-08');
    const due = calendar.addWorkingDays('2199-12-20', 10);
    expect(due.startsWith('2200-01')).toBe(true);
    expect(calendar.workingDaysBetween('2199-12-20', due)).toBe(10);
  });

  it('refuses to count outside its range', () => {
    expect(() => calendar.addWorkingDays('2201-01-01', 1)).toThrow(/covers 1990–2200/);
    expect(() => calendar.workingDaysBetween('1989-12-01', '1990-01-05')).toThrow(/covers/);
  });
});

/** Last Sunday of a month: when the clocks change (March forward, October back). */
function lastSunday(year: number, month: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: last.weekday % 7 });
}

describe('daylight saving (decision 0001): counting is in London dates, whatever the offset', () => {
  const dstYears = Array.from({ length: 10 }, (_, i) => 2019 + i);

  it.each(dstYears)('%i, March: a Friday-night receipt and its deadline straddle the change correctly', (year) => {
    const sunday = lastSunday(year, 3);
    const friday = sunday.minus({ days: 2 }).toISODate()!;
    // 23:30 GMT on the Friday is still Friday in London before the clocks go forward.
    const receivedAt = toInstant(`${friday}T23:30:00Z`);
    expect(londonDateOf(receivedAt)).toBe(friday);
    const due = calendar.addWorkingDays(friday, 5);
    expect(calendar.isWorkingDay(due)).toBe(true);
    // After the change the deadline ends at 23:59:59.999 BST, i.e. 22:59:59.999 UTC.
    expect(endOfLondonDay(due)).toBe(`${due}T22:59:59.999Z`);
    // 00:30 BST on the next Monday is 23:30 UTC on Sunday, and is Monday in London.
    const monday = sunday.plus({ days: 1 }).toISODate()!;
    expect(londonDateOf(`${sunday.toISODate()}T23:30:00Z`)).toBe(monday);
  });

  it.each(dstYears)('%i, October: a deadline after the clocks go back ends at midnight GMT', (year) => {
    const sunday = lastSunday(year, 10);
    const friday = sunday.minus({ days: 2 }).toISODate()!;
    // 23:30 UTC on the Friday is 00:30 BST on Saturday in London: day 0 is the Saturday.
    expect(londonDateOf(`${friday}T23:30:00Z`)).toBe(sunday.minus({ days: 1 }).toISODate());
    expect(endOfLondonDay(friday)).toBe(`${friday}T22:59:59.999Z`);
    const due = calendar.addWorkingDays(friday, 5);
    expect(endOfLondonDay(due)).toBe(`${due}T23:59:59.999Z`);
    expect(calendar.workingDaysBetween(friday, due)).toBe(5);
  });
});

describe('calendar properties (fast-check)', () => {
  const day = fc.integer({ min: 0, max: 365 * 12 }).map((offset) => DateTime.utc(2018, 1, 1).plus({ days: offset }).toISODate()!);
  const days = fc.integer({ min: 1, max: 60 });

  it('a deadline always falls on a working day', () => {
    fc.assert(fc.property(day, days, (start, n) => calendar.isWorkingDay(calendar.addWorkingDays(start, n))));
  });

  it('workingDaysBetween(d, addWorkingDays(d, n)) === n', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 60 }),
        (start, n) => calendar.workingDaysBetween(start, calendar.addWorkingDays(start, n)) === n,
      ),
    );
  });

  it('adding is monotonic and composes: add(add(d, a), b) === add(d, a + b)', () => {
    fc.assert(
      fc.property(day, days, days, (start, a, b) => {
        const first = calendar.addWorkingDays(start, a);
        return first < calendar.addWorkingDays(start, a + b) && calendar.addWorkingDays(first, b) === calendar.addWorkingDays(start, a + b);
      }),
    );
  });
});
