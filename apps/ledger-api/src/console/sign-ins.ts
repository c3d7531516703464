import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** The console's sign-in cookie: HttpOnly, SameSite=Strict, only for /console, Secure over TLS. */
export const SIGN_IN_COOKIE = 'ledger_console';
const MAX_AGE_MS = 8 * 3_600_000;

interface SignIn {
  readonly principal: Principal;
  readonly signedInAt: number;
  lastSeen: number;
}

/**
 * Console sign-ins, held in this process: a random token in the cookie names a sign-in, never the
 * credential itself. A sign-in ends after `idleMs` without a request, after eight hours whatever
 * happens, at sign-out, or when the process restarts (sign in again).
 */
export class ConsoleSignIns {
  private readonly signIns = new Map<string, SignIn>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  open(principal: Principal): string {
    this.forgetExpired();
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.signIns.set(token, { principal, signedInAt: at, lastSeen: at });
    return token;
  }

  /** The sign-in's principal, its idle clock restarted; null once it has ended. */
  find(token: string | undefined): Principal | null {
    const signIn = token === undefined ? undefined : this.signIns.get(token);
    if (!signIn) return null;
    const at = this.now();
    if (at - signIn.lastSeen > this.idleMs || at - signIn.signedInAt > MAX_AGE_MS) {
      this.signIns.delete(token!);
      return null;
    }
    signIn.lastSeen = at;
    return signIn.principal;
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
