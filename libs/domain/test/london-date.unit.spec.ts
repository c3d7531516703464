import fc from 'fast-check';
import { DateTime, FixedOffsetZone } from 'luxon';
import { compareInstants, instantMillis, instantOfMillis, londonDateOf, londonYearOfMillis, parseInstant } from '../src';

// londonDateOf computes UK summer time itself (it is on every deadline's hot path); here it is
// checked against luxon's time-zone database for every hour and both DST changes' minutes, 1990–2199
// (before 1996 the UK's own summer-time rules differed; those instants take luxon's path).
describe('londonDateOf agrees with the Europe/London time-zone database', () => {
  it('for every hour from 2018 to 2030', () => {
    const mismatches: string[] = [];
    for (let ms = Date.UTC(2018, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 3_600_000) {
      const instant = new Date(ms).toISOString();
      const expected = DateTime.fromMillis(ms, { zone: 'Europe/London' }).toISODate();
      if (londonDateOf(instant) !== expected) mismatches.push(instant);
    }
    expect(mismatches).toEqual([]);
  });

  it('for the hours around midnight in the weeks the clocks change, every year 1990–2199', () => {
    const mismatches: string[] = [];
    for (let year = 1990; year <= 2199; year++) {
      for (const [month, firstDay] of [
        [2, 18],
        [9, 18],
      ] as const) {
        for (let day = firstDay; day < firstDay + 20; day++) {
          for (const hour of [-2, -1, 0, 1, 2]) {
            const ms = Date.UTC(year, month, day, hour);
            const expected = DateTime.fromMillis(ms, { zone: 'Europe/London' }).toISODate();
            if (londonDateOf(new Date(ms).toISOString()) !== expected) mismatches.push(new Date(ms).toISOString());
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('around midnight on the days the clocks change, and with an offset instead of Z', () => {
    expect(londonDateOf('2024-03-30T23:59:59.999Z')).toBe('2024-03-30'); // GMT
    expect(londonDateOf('2024-03-31T23:00:00.000Z')).toBe('2024-04-01'); // BST midnight
    expect(londonDateOf('2024-10-26T23:00:00.000Z')).toBe('2024-10-27'); // BST midnight before the change
    expect(londonDateOf('2024-10-27T23:30:00.000Z')).toBe('2024-10-27'); // GMT again
    expect(londonDateOf('2024-06-01T00:30:00+01:00')).toBe('2024-06-01');
    expect(londonDateOf('2024-06-01T00:30')).toBe('2024-06-01'); // no offset: London wall-clock
  });
});

describe('londonYearOfMillis', () => {
  it("is the year of the instant's London date, from 1900 to 2200 and around every New Year's midnight", () => {
    const yearOfDate = (epochMs: number) => Number(DateTime.fromMillis(epochMs, { zone: 'Europe/London' }).toFormat('yyyy'));
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (epochMs) => {
        expect(londonYearOfMillis(epochMs)).toBe(yearOfDate(epochMs));
      }),
      { numRuns: 20_000 },
    );
    for (let year = 1960; year <= 2100; year++)
      for (const offset of [-3_600_001, -1, 0, 1, 3_599_999])
        expect(londonYearOfMillis(Date.UTC(year, 0, 1) + offset)).toBe(yearOfDate(Date.UTC(year, 0, 1) + offset));
  });
});

describe('compareInstants', () => {
  // UTC instants in the fixed toISOString form are compared as text; every other form by time.
  const instant = fc
    .tuple(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), fc.constantFrom(0, 60, -300, 330))
    .map(([ms, offsetMinutes]) =>
      offsetMinutes === 0
        ? new Date(ms).toISOString()
        : DateTime.fromMillis(ms, { zone: FixedOffsetZone.instance(offsetMinutes) }).toISO()!,
    );

  it('orders any two instants as their times do, whatever their offsets', () => {
    fc.assert(
      fc.property(instant, instant, fc.boolean(), (a, b, same) => {
        const second = same ? new Date(Date.parse(a)).toISOString() : b;
        expect(Math.sign(compareInstants(a, second))).toBe(Math.sign(Date.parse(a) - Date.parse(second)));
      }),
      { numRuns: 5000 },
    );
  });

  it('orders the same moment written two ways as equal, and an offset instant against a UTC one by time', () => {
    expect(compareInstants('2024-05-01T09:00:00.000Z', '2024-05-01T10:00:00.000+01:00')).toBe(0);
    expect(compareInstants('2024-05-01T09:00:00.001Z', '2024-05-01T10:00:00.000+01:00')).toBeGreaterThan(0);
    expect(compareInstants('2024-05-01T08:59:59.999Z', '2024-05-01T09:00:00.000Z')).toBeLessThan(0);
  });
});

describe('parseInstant', () => {
  // Instants with an offset are read without luxon's parser; every other form still goes to luxon.
  // The two must accept the same strings and give the same instant, valid fields or not.
  const WALL = "yyyy-MM-dd'T'HH:mm:ss.SSS";
  const luxonReads = (value: string) => {
    const parsed = DateTime.fromISO(value, { zone: 'Europe/London', setZone: true });
    if (!parsed.isValid) return null;
    if (parsed.zoneName === 'Europe/London') {
      // without an offset: a London time the clocks skipped or passed twice names no one instant, and is refused;
      // counted by brute force, every quarter hour within two hours of luxon's reading
      const wall = DateTime.fromISO(value, { zone: 'utc' }).toFormat(WALL);
      let readings = 0;
      for (let quarter = -8; quarter <= 8; quarter++)
        if (DateTime.fromMillis(parsed.toMillis() + quarter * 900_000, { zone: 'Europe/London' }).toFormat(WALL) === wall) readings++;
      if (readings !== 1) return null;
    }
    return parsed.toUTC().toISO();
  };
  const digits = (length: number, max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(length, '0'));
  const instant = fc
    .tuple(
      digits(4, 9999),
      digits(2, 19),
      digits(2, 39),
      fc.constantFrom('T', 't', ' '),
      digits(2, 29),
      digits(2, 69),
      fc.option(digits(2, 69)),
      fc.option(fc.stringMatching(/^[0-9]{1,4}$/)),
      fc.oneof(
        fc.constantFrom('', 'Z', 'z'),
        fc.tuple(fc.constantFrom('+', '-'), digits(2, 29), digits(2, 69)).map((parts) => parts.join('')),
      ),
    )
    .map(([year, month, day, t, hour, minute, second, fraction, offset]) => {
      const seconds = second === null ? '' : `:${second}${fraction === null ? '' : `.${fraction}`}`;
      const zone = offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
      return `${year}-${month}-${day}${t}${hour}:${minute}${seconds}${zone}`;
    });

  it('reads every instant exactly as luxon does, and refuses what luxon refuses', () => {
    fc.assert(
      fc.property(instant, (value) => {
        expect(parseInstant(value)?.toISO() ?? null).toBe(luxonReads(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads the same instants as milliseconds (instantMillis), written back in the stored form luxon writes (instantOfMillis)', () => {
    fc.assert(
      fc.property(instant, (value) => {
        const epochMs = instantMillis(value);
        expect(epochMs === null ? null : instantOfMillis(epochMs)).toBe(luxonReads(value));
      }),
      { numRuns: 20_000 },
    );
    // years outside Date's four-digit form are written as luxon writes them
    for (const epochMs of [Date.UTC(999, 11, 31, 23), Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1)])
      expect(instantOfMillis(epochMs)).toBe(DateTime.fromMillis(epochMs, { zone: 'utc' }).toISO());
  });

  it('reads the forms housing systems send, and refuses impossible dates', () => {
    expect(parseInstant('2024-05-01T10:00:00+01:00')?.toISO()).toBe('2024-05-01T09:00:00.000Z');
    expect(parseInstant('2024-05-01T10:00:00.5-02:30')?.toISO()).toBe('2024-05-01T12:30:00.500Z');
    expect(parseInstant('2024-02-29T23:59:59.999Z')?.toISO()).toBe('2024-02-29T23:59:59.999Z');
    expect(parseInstant('2023-02-29T10:00:00Z')).toBeNull();
    expect(parseInstant('2024-04-31T10:00:00Z')).toBeNull();
    expect(parseInstant('2024-06-01T10:00')?.toISO()).toBe('2024-06-01T09:00:00.000Z'); // no offset: London (BST)
    // no offset, at a London time the clocks skipped (spring) or passed twice (autumn): no one instant, refused
    expect(parseInstant('2024-03-31T01:30:00')).toBeNull();
    expect(parseInstant('2024-10-27T01:30:00')).toBeNull();
    expect(parseInstant('2024-10-27T01:30:00+01:00')?.toISO()).toBe('2024-10-27T00:30:00.000Z'); // with its offset, it is one
    expect(parseInstant('2024-10-27T02:30:00')?.toISO()).toBe('2024-10-27T02:30:00.000Z');
  });
});
