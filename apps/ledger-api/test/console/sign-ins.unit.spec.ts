import { clearedSignInCookie, ConsoleSignIns, signInCookie, signInTokenOf } from '../../src/console/sign-ins';

const auditor = { name: 'audit-team', roles: ['auditor'] as const, via: 'api-key' as const };

describe('console sign-ins', () => {
  let now = 0;
  const signIns = new ConsoleSignIns(15 * 60_000, () => now);

  it('given a sign-in, it holds while used, and ends after 15 idle minutes', () => {
    now = 0;
    const token = signIns.open(auditor);
    now = 14 * 60_000;
    expect(signIns.find(token)).toEqual(auditor);
    now = 28 * 60_000; // 14 minutes after the last use
    expect(signIns.find(token)).toEqual(auditor);
    now = 44 * 60_000; // 16 minutes idle
    expect(signIns.find(token)).toBeNull();
  });

  it('ends after eight hours however busy, and at sign-out', () => {
    now = 0;
    const token = signIns.open(auditor);
    for (now = 10 * 60_000; now <= 8 * 3_600_000; now += 10 * 60_000) expect(signIns.find(token)).toEqual(auditor);
    now += 10 * 60_000;
    expect(signIns.find(token)).toBeNull();
    const another = signIns.open(auditor);
    signIns.close(another);
    expect(signIns.find(another)).toBeNull();
  });

  it('makes a random token per sign-in, never the credential', () => {
    const [a, b] = [signIns.open(auditor), signIns.open(auditor)];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, for /console only, Secure over TLS; reads it back from a Cookie header', () => {
    expect(signInCookie('t', false)).toBe('ledger_console=t; Path=/console; HttpOnly; SameSite=Strict');
    expect(signInCookie('t', true)).toMatch(/; Secure$/);
    expect(clearedSignInCookie(false)).toMatch(/Max-Age=0/);
    expect(signInTokenOf('other=1; ledger_console=abc; x=2')).toBe('abc');
    expect(signInTokenOf(undefined)).toBeUndefined();
  });
});
