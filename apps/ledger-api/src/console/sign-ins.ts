import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** The console's sign-in cookie: HttpOnly, SameSite=Strict, only for /console, Secure over TLS. */
export const SIGN_IN_COOKIE = 'ledger_console';
const MAX_AGE_MS = 8 * 3_600_000;
/** How often a sign-in in use is given a fresh cookie (its idle clock restarted): more often would set a cookie on every page. */
const RENEW_MS = 60_000;
/** What the sealed cookie is bound to, so no other value sealed under the same key passes for a sign-in. */
const PURPOSE = Buffer.from('complaint-ledger console sign-in v1');

/** What a sign-in's cookie carries, sealed: the credential (checked again on every request) and its two clocks. */
interface SignIn {
  /** credential */
  readonly c: string;
  /** signed in at (ms) */
  readonly s: number;
  /** last seen at (ms), as of the cookie's last renewal */
  readonly l: number;
}

/** Whose credential this is now: null once it is no longer accepted (a key revoked, a token expired). */
export type CredentialCheck = (credential: string) => Promise<Principal | null>;

/** A sign-in found: who, as the credential says now, and a fresh cookie value when its idle clock was restarted. */
export interface FoundSignIn {
  readonly principal: Principal;
  readonly renewed: string | null;
}

/**
 * Console sign-ins that every replica accepts: the cookie itself holds the sign-in, sealed
 * (AES-256-GCM) under a key every replica derives from the master key they share, so a sign-in made
 * on one replica is read by any other, and nobody without the key can read the credential in it or
 * forge one. The credential is checked again on every request, as the API checks it: a revoked key
 * or an expired token ends the sign-in at the next request, and a key's roles changed in the keys
 * file apply at once. A sign-in ends after `idleMs` without a request (a cookie in use is renewed
 * every minute), after eight hours whatever happens, or at sign-out. A sign-out, or a sign-in
 * whose credential was refused, is remembered by the replica that saw it until the sign-in would
 * have expired anyway, and the browser is told to forget the cookie; another replica would take a
 * copy of that cookie until then (docs/operations.md, "Several replicas").
 */
export class ConsoleSignIns {
  /** Cookies ended here (signed out, credential refused), with when they would have expired anyway. */
  private readonly ended = new Map<string, number>();

  constructor(
    private readonly key: Buffer,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (key.length !== 32) throw new Error('the console sign-in key must be 32 bytes');
  }

  open(credential: string): string {
    const at = this.now();
    return this.seal({ c: credential, s: at, l: at });
  }

  /**
   * The sign-in's principal as its credential says now, and a renewed cookie when one is due; null
   * once it has ended: timed out, signed out, altered, or its credential no longer accepted.
   */
  async find(token: string | undefined, recheck: CredentialCheck): Promise<FoundSignIn | null> {
    if (token === undefined || this.ended.has(token)) return null;
    const signIn = this.unseal(token);
    if (!signIn) return null;
    const at = this.now();
    if (at - signIn.l > this.idleMs || at - signIn.s > MAX_AGE_MS) return null;
    const principal = await recheck(signIn.c).catch(() => null);
    if (!principal) {
      this.end(token, signIn);
      return null;
    }
    return { principal, renewed: at - signIn.l >= RENEW_MS ? this.seal({ ...signIn, l: at }) : null };
  }

  close(token: string | undefined): void {
    const signIn = token === undefined ? null : this.unseal(token);
    if (signIn) this.end(token!, signIn);
  }

  private end(token: string, signIn: SignIn): void {
    const at = this.now();
    for (const [ended, expires] of this.ended) if (expires < at) this.ended.delete(ended);
    this.ended.set(token, Math.min(signIn.s + MAX_AGE_MS, signIn.l + this.idleMs));
  }

  private seal(signIn: SignIn): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(PURPOSE);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(signIn)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  private unseal(token: string): SignIn | null {
    try {
      const bytes = Buffer.from(token, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12)).setAAD(PURPOSE);
      decipher.setAuthTag(bytes.subarray(12, 28));
      const signIn = JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString()) as SignIn;
      return typeof signIn.c === 'string' && Number.isFinite(signIn.s) && Number.isFinite(signIn.l) ? signIn : null;
    } catch {
      return null; // altered, sealed under another key, or not a sign-in at all
    }
  }
}

export function signInCookie(token: string, secure: boolean): string {
  return `${SIGN_IN_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSignInCookie(secure: boolean): string {
  return `${SIGN_IN_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function signInTokenOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SIGN_IN_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/**
 * Whether a console form was sent from the console's own pages: a browser says where a form came
 * from (`Origin`, `Sec-Fetch-Site`), so a sign-in posted by another site (login CSRF: signing the
 * victim in as the attacker) is refused. A request with neither is no browser's form (a script,
 * curl) and has no victim to sign in.
 */
export function sentFromTheConsole(headers: Record<string, string | string[] | undefined>, protocol: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  return origin === `${protocol}://${String(headers.host)}`;
}
