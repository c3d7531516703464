import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** The console's sign-in cookie: HttpOnly, SameSite=Strict, only for /console, Secure over TLS. */
export const SIGN_IN_COOKIE = 'ledger_console';
const MAX_AGE_MS = 8 * 3_600_000;

interface SignIn {
  principal: Principal;
  /** What was signed in with, kept in this process's memory only, to be checked again on every request. */
  readonly credential: string;
  readonly signedInAt: number;
  lastSeen: number;
}

/** Whose credential this is now: null once it is no longer accepted (a key revoked, a token expired). */
export type CredentialCheck = (credential: string) => Promise<Principal | null>;

/**
 * Console sign-ins, held in this process: a random token in the cookie names a sign-in, never the
 * credential itself. The credential is checked again on every request, as the API checks it, so
 * a revoked key or an expired token ends the sign-in at the next request, and a key's roles
 * changed in the keys file apply at once. A sign-in also ends after `idleMs` without a request,
 * after eight hours whatever happens, at sign-out, or when the process restarts (sign in again).
 */
export class ConsoleSignIns {
  private readonly signIns = new Map<string, SignIn>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  open(principal: Principal, credential: string): string {
    this.forgetExpired();
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.signIns.set(token, { principal, credential, signedInAt: at, lastSeen: at });
    return token;
  }

  /**
   * The sign-in's principal as its credential says now, its idle clock restarted; null once it has
   * ended: timed out, signed out, or its credential no longer accepted (then it is ended here).
   */
  async find(token: string | undefined, recheck: CredentialCheck): Promise<Principal | null> {
    const signIn = token === undefined ? undefined : this.signIns.get(token);
    if (!signIn) return null;
    const at = this.now();
    if (at - signIn.lastSeen > this.idleMs || at - signIn.signedInAt > MAX_AGE_MS) {
      this.signIns.delete(token!);
      return null;
    }
    const principal = await recheck(signIn.credential).catch(() => null);
    if (!principal) {
      this.signIns.delete(token!);
      return null;
    }
    signIn.principal = principal;
    signIn.lastSeen = at;
    return principal;
  }

  close(token: string | undefined): void {
    if (token !== undefined) this.signIns.delete(token);
  }

  private forgetExpired(): void {
    const at = this.now();
    for (const [token, signIn] of this.signIns) {
      if (at - signIn.lastSeen > this.idleMs || at - signIn.signedInAt > MAX_AGE_MS) this.signIns.delete(token);
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
