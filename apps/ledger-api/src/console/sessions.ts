import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** The console's sign-in cookie: HttpOnly, SameSite=Strict, only for /console, Secure over TLS. */
export const SESSION_COOKIE = 'ledger_console';
const MAX_AGE_MS = 8 * 3_600_000;

interface Session {
  readonly principal: Principal;
  readonly signedInAt: number;
  lastSeen: number;
}

/**
 * Console sign-ins, held in this process: a random token in the cookie names a session, never the
 * credential itself. A session ends after `idleMs` without a request, after eight hours whatever
 * happens, at sign-out, or when the process restarts (sign in again).
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  open(principal: Principal): string {
    this.forgetExpired();
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.sessions.set(token, { principal, signedInAt: at, lastSeen: at });
    return token;
  }

  /** The session's principal, its idle clock restarted; null once it has ended. */
  find(token: string | undefined): Principal | null {
    const session = token === undefined ? undefined : this.sessions.get(token);
    if (!session) return null;
    const at = this.now();
    if (at - session.lastSeen > this.idleMs || at - session.signedInAt > MAX_AGE_MS) {
      this.sessions.delete(token!);
      return null;
    }
    session.lastSeen = at;
    return session.principal;
  }

  close(token: string | undefined): void {
    if (token !== undefined) this.sessions.delete(token);
  }

  private forgetExpired(): void {
    const at = this.now();
    for (const [token, session] of this.sessions) {
      if (at - session.lastSeen > this.idleMs || at - session.signedInAt > MAX_AGE_MS) this.sessions.delete(token);
    }
  }
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
