import { SlidingWindowRateLimits } from '../../src/http/rate-limit';

const MINUTE = 60_000;

describe('SlidingWindowRateLimits', () => {
  let now: number;
  let limits: SlidingWindowRateLimits;
  const hit = (key = 'client-a') => limits.increment(key, MINUTE, 3, MINUTE, 'default');

  beforeEach(() => {
    now = 1_000_000;
    limits = new SlidingWindowRateLimits(() => now);
  });

  it('allows the limit in a window, then blocks with the time to wait', async () => {
    const allowed = [await hit(), await hit(), await hit()];
    expect(allowed.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    now += 10_000;
    const refused = await hit();
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBe(60);
  });

  it('counts each client on its own', async () => {
    for (let i = 0; i < 3; i++) await hit('client-a');
    expect((await hit('client-b')).isBlocked).toBe(false);
    expect((await hit('client-a')).isBlocked).toBe(true);
  });

  it("weights the previous window's hits by how much of it the last minute still covers", async () => {
    for (let i = 0; i < 3; i++) await hit();
    now += MINUTE + MINUTE / 2; // half the previous window still overlaps: floor(3 × 0.5) = 1 counted
    expect((await hit()).totalHits).toBe(2);
    expect((await hit()).totalHits).toBe(3);
    expect((await hit()).isBlocked).toBe(true);
  });

  it('starts afresh after two idle windows and once a block has run out', async () => {
    for (let i = 0; i < 4; i++) await hit();
    now += MINUTE + 1; // the block (one minute) is over; the previous window's 3 hits still weigh fully
    now += MINUTE; // …and now they no longer overlap
    expect((await hit()).totalHits).toBe(1);
  });
});
