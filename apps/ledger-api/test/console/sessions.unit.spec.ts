import { clearedSessionCookie, ConsoleSessions, sessionCookie, sessionTokenOf } from '../../src/console/sessions';

const auditor = { name: 'audit-team', roles: ['auditor'] as const, via: 'api-key' as const };

describe('console sign-ins', () => {
  let now = 0;
  const sessions = new ConsoleSessions(15 * 60_000, () => now);

  it('given a sign-in, it holds while used, and ends after 15 idle minutes', () => {
    now = 0;
    const token = sessions.open(auditor);
    now = 14 * 60_000;
    expect(sessions.find(token)).toEqual(auditor);
    now = 28 * 60_000; // 14 minutes after the last use
    expect(sessions.find(token)).toEqual(auditor);
    now = 44 * 60_000; // 16 minutes idle
    expect(sessions.find(token)).toBeNull();
  });

  it('ends after eight hours however busy, and at sign-out', () => {
    now = 0;
    const token = sessions.open(auditor);
    for (now = 10 * 60_000; now <= 8 * 3_600_000; now += 10 * 60_000) expect(sessions.find(token)).toEqual(auditor);
    now += 10 * 60_000;
    expect(sessions.find(token)).toBeNull();
    const another = sessions.open(auditor);
    sessions.close(another);
    expect(sessions.find(another)).toBeNull();
  });

  it('makes a random token per sign-in, never the credential', () => {
    const [a, b] = [sessions.open(auditor), sessions.open(auditor)];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, for /console only, Secure over TLS; reads it back from a Cookie header', () => {
    expect(sessionCookie('t', false)).toBe('ledger_console=t; Path=/console; HttpOnly; SameSite=Strict');
    expect(sessionCookie('t', true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/Max-Age=0/);
    expect(sessionTokenOf('other=1; ledger_console=abc; x=2')).toBe('abc');
    expect(sessionTokenOf(undefined)).toBeUndefined();
  });
});
