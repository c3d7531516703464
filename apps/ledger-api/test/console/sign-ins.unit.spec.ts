import { randomBytes } from 'node:crypto';
import type { Principal } from '../../src/auth/principal';
import { clearedSignInCookie, ConsoleSignIns, sentFromTheConsole, signInCookie, signInTokenOf } from '../../src/console/sign-ins';

const auditor: Principal = { name: 'audit-team', roles: ['auditor'], via: 'api-key' };
const KEY = 'the-audit-teams-key-0123456789';
/** The credential as the API accepts it today: `revoked` keys and tokens are not. */
const revoked = new Set<string>();
const accepted = async (credential: string) => (revoked.has(credential) ? null : auditor);

describe('console sign-ins', () => {
  let now = 0;
  const key = randomBytes(32);
  const signIns = new ConsoleSignIns(key, 15 * 60_000, () => now);
  beforeEach(() => revoked.clear());

  /** What a browser does: sends its cookie, and keeps the fresh one when it is given one. */
  const browser = (token: string, on = signIns) => ({
    token,
    async visit(): Promise<Principal | null> {
      const found = await on.find(this.token, accepted);
      if (found?.renewed) this.token = found.renewed;
      return found?.principal ?? null;
    },
  });

  it('given a sign-in, it holds while used, and ends after 15 idle minutes', async () => {
    now = 0;
    const visitor = browser(signIns.open(KEY));
    now = 14 * 60_000;
    expect(await visitor.visit()).toEqual(auditor);
    now = 28 * 60_000; // 14 minutes after the last use
    expect(await visitor.visit()).toEqual(auditor);
    now = 44 * 60_000; // 16 minutes idle
    expect(await visitor.visit()).toBeNull();
  });

  it('ends after eight hours however busy, and at sign-out', async () => {
    now = 0;
    const visitor = browser(signIns.open(KEY));
    for (now = 10 * 60_000; now <= 8 * 3_600_000; now += 10 * 60_000) expect(await visitor.visit()).toEqual(auditor);
    now += 10 * 60_000;
    expect(await visitor.visit()).toBeNull();
    const another = signIns.open(KEY);
    signIns.close(another);
    expect(await signIns.find(another, accepted)).toBeNull();
  });

  it('checks the credential again on every request: once it is no longer accepted, the sign-in ends here', async () => {
    now = 0;
    const token = signIns.open(KEY);
    expect((await signIns.find(token, accepted))?.principal).toEqual(auditor);
    revoked.add(KEY); // the key removed from the keys file, or the token past its expiry
    expect(await signIns.find(token, accepted)).toBeNull();
    revoked.clear();
    expect(await signIns.find(token, accepted)).toBeNull(); // ended, not merely refused once
  });

  it("takes the principal as the credential says now (a key's roles changed in the keys file)", async () => {
    now = 0;
    const token = signIns.open(KEY);
    const analyst: Principal = { ...auditor, roles: ['analyst'] };
    expect((await signIns.find(token, async () => analyst))?.principal).toEqual(analyst);
  });

  it('is accepted by every replica given the same master key, and by no other', async () => {
    now = 0;
    const token = signIns.open(KEY);
    const replica = new ConsoleSignIns(Buffer.from(key), 15 * 60_000, () => now);
    expect((await replica.find(token, accepted))?.principal).toEqual(auditor);
    const stranger = new ConsoleSignIns(randomBytes(32), 15 * 60_000, () => now);
    expect(await stranger.find(token, accepted)).toBeNull();
  });

  it('hides the credential, and refuses a cookie altered by a single bit or made up', async () => {
    now = 0;
    const [a, b] = [signIns.open(KEY), signIns.open(KEY)];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain(KEY);
    const bytes = Buffer.from(a, 'base64url');
    for (const at of [0, 13, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[at]! ^= 1;
      expect(await signIns.find(altered.toString('base64url'), accepted)).toBeNull();
    }
    expect(await signIns.find('not-a-sign-in', accepted)).toBeNull();
  });

  it('gives a sign-in in use a fresh cookie at most once a minute', async () => {
    now = 0;
    const token = signIns.open(KEY);
    now = 30_000;
    expect((await signIns.find(token, accepted))?.renewed).toBeNull();
    now = 61_000;
    const renewed = (await signIns.find(token, accepted))?.renewed;
    expect(renewed).toEqual(expect.any(String));
    now = 61_000 + 15 * 60_000; // idle for 15 minutes since the renewal, 16 since the first cookie
    expect(await signIns.find(token, accepted)).toBeNull();
    expect((await signIns.find(renewed!, accepted))?.principal).toEqual(auditor);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, for /console only, Secure over TLS; reads it back from a Cookie header', () => {
    expect(signInCookie('t', false)).toBe('ledger_console=t; Path=/console; HttpOnly; SameSite=Strict');
    expect(signInCookie('t', true)).toMatch(/; Secure$/);
    expect(clearedSignInCookie(false)).toMatch(/Max-Age=0/);
    expect(signInTokenOf('other=1; ledger_console=abc; x=2')).toBe('abc');
    expect(signInTokenOf(undefined)).toBeUndefined();
  });
});

describe('a console form sent from elsewhere (login CSRF)', () => {
  const host = { host: 'ledger.example:3000' };
  it.each<[string, Record<string, string>, boolean]>([
    ['from the console itself', { ...host, origin: 'http://ledger.example:3000', 'sec-fetch-site': 'same-origin' }, true],
    ['by a script, naming no origin', host, true],
    ['from another site', { ...host, origin: 'https://attacker.example' }, false],
    ['from another site, as the browser says', { ...host, 'sec-fetch-site': 'cross-site' }, false],
    ['from a sandboxed page (origin "null")', { ...host, origin: 'null' }, false],
    ['from the same host over another scheme', { ...host, origin: 'https://ledger.example:3000' }, false],
  ])('%s', (_, headers, sent) => {
    expect(sentFromTheConsole(headers, 'http')).toBe(sent);
  });
});
