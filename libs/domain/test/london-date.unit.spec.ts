import { DateTime } from 'luxon';
import { londonDateOf } from '../src';

// londonDateOf computes UK summer time itself (it is on every deadline's hot path); here it is
// checked against luxon's time-zone database for every hour and both DST changes' minutes, 2018–2030.
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

  it('around midnight on the days the clocks change, and with an offset instead of Z', () => {
    expect(londonDateOf('2024-03-30T23:59:59.999Z')).toBe('2024-03-30'); // GMT
    expect(londonDateOf('2024-03-31T23:00:00.000Z')).toBe('2024-04-01'); // BST midnight
    expect(londonDateOf('2024-10-26T23:00:00.000Z')).toBe('2024-10-27'); // BST midnight before the change
    expect(londonDateOf('2024-10-27T23:30:00.000Z')).toBe('2024-10-27'); // GMT again
    expect(londonDateOf('2024-06-01T00:30:00+01:00')).toBe('2024-06-01');
    expect(londonDateOf('2024-06-01T00:30')).toBe('2024-06-01'); // no offset: London wall-clock
  });
});
