import { Injectable } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerStorage } from '@nestjs/throttler';

interface Window {
  /** When the current window opened (ms). */
  start: number;
  current: number;
  previous: number;
  blockedUntil: number;
}

/**
 * Counts requests per client in O(1) time and memory: a sliding-window counter (this window's
 * hits plus the previous window's, weighted by how much of it still overlaps the last `ttl`).
 *
 * Why not the throttler's own storage: it keeps one expiry time per request and filters the
 * whole list on every request, so a housing system sending all its commands through one key
 * (the normal integration) made every request cost O(requests in the last minute) and produce
 * that much garbage: at a busy integration's rates that is the dearest step of a command.
 */
export class SlidingWindowRateLimits implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const now = this.now();
    this.forgetIdleClients(now, ttl);
    const id = `${throttlerName}\u0000${key}`;
    let window = this.windows.get(id);
    if (!window) this.windows.set(id, (window = { start: now, current: 0, previous: 0, blockedUntil: 0 }));
    roll(window, now, ttl);
    const timeToExpire = seconds(window.start + ttl - now);
    if (window.blockedUntil > now) return blocked(limit + 1, timeToExpire, window.blockedUntil - now);
    const overlap = 1 - (now - window.start) / ttl;
    const totalHits = Math.floor(window.previous * overlap) + window.current + 1;
    if (totalHits > limit) {
      window.blockedUntil = now + (blockDuration > 0 ? blockDuration : ttl);
      return blocked(totalHits, timeToExpire, window.blockedUntil - now);
    }
    window.current += 1; // only an allowed request counts against the client
    return { totalHits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Clients not seen for two windows are dropped, at most once a window. */
  private forgetIdleClients(now: number, ttl: number): void {
    if (now - this.lastSweep < ttl) return;
    this.lastSweep = now;
    for (const [id, window] of this.windows) {
      if (now - window.start >= 2 * ttl && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}

function roll(window: Window, now: number, ttl: number): void {
  const elapsedWindows = Math.floor((now - window.start) / ttl);
  if (elapsedWindows <= 0) return;
  window.previous = elapsedWindows === 1 ? window.current : 0;
  window.current = 0;
  window.start += elapsedWindows * ttl;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

const blocked = (totalHits: number, timeToExpire: number, blockedForMs: number) => ({
  totalHits,
  timeToExpire,
  isBlocked: true,
  timeToBlockExpire: seconds(blockedForMs),
});

/**
 * The limit is per client across the whole API: the key is the client itself (the storage keeps
 * each throttler's counts apart). The throttler's default keys it per route and hashes the key
 * with SHA-256 on every request.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }
}
