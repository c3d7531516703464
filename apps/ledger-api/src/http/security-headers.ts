import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** helmet's defaults, with a content security policy that lets the API docs and report pages work. */
export const SECURITY_POLICY: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
};

/**
 * The security headers every response carries, as helmet sets them for our policy. The policy is
 * fixed (no per-request nonces), so helmet's middleware is run once, here, against a recording
 * response, and each request then gets the recorded headers in one call, instead of running its
 * chain of fifteen middlewares for headers that never change.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    // helmet removes X-Powered-By, which nothing here sets
    removeHeader: () => undefined,
  };
  let failure: unknown = 'helmet did not finish synchronously';
  helmet(SECURITY_POLICY)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error ?? null;
  });
  if (failure) throw new Error(`security headers could not be worked out: ${String(failure)}`);
  return Object.freeze(headers);
}

/**
 * The headers for a request that came over plain HTTP: without HSTS and without
 * `upgrade-insecure-requests`, which only make sense over TLS — over plain HTTP the browser would
 * ask for the API docs' scripts and styles over https and show a blank page.
 */
export function plainHttpHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const { 'strict-transport-security': _tlsOnly, ...rest } = headers;
  const policy = rest['content-security-policy']
    ?.split(';')
    .filter((directive) => directive.trim() !== 'upgrade-insecure-requests')
    .join(';');
  return Object.freeze({ ...rest, ...(policy ? { 'content-security-policy': policy } : {}) });
}

let both: { overTls: Readonly<Record<string, string>>; overPlainHttp: Readonly<Record<string, string>> } | undefined;

/** The security headers for a request that came over this protocol (worked out once per process). */
export function securityHeadersOver(protocol: string): Readonly<Record<string, string>> {
  if (!both) {
    const overTls = securityHeaders();
    both = { overTls, overPlainHttp: plainHttpHeaders(overTls) };
  }
  return protocol === 'https' ? both.overTls : both.overPlainHttp;
}
