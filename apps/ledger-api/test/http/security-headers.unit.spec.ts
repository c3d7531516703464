import helmet from 'helmet';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { plainHttpHeaders, SECURITY_POLICY, securityHeaders } from '../../src/http/security-headers';

describe('security headers worked out once', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const middleware = helmet(SECURITY_POLICY);
    server = createServer((request, response) => middleware(request, response, () => response.end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('are exactly the headers helmet sets on a real response, with the same values', async () => {
    const response = await fetch(url);
    const fromHelmet: Record<string, string> = {};
    const framing = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    response.headers.forEach((value, name) => {
      if (!framing.has(name)) fromHelmet[name] = value;
    });
    expect(Object.keys(fromHelmet).length).toBeGreaterThan(10);
    expect(securityHeaders()).toEqual(fromHelmet);
  });

  it('carry the content security policy the docs and report pages need', () => {
    expect(securityHeaders()['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
  });

  it('over plain HTTP leave out what only makes sense over TLS (HSTS, upgrade-insecure-requests), and nothing else', () => {
    const tls = securityHeaders();
    const plain = plainHttpHeaders(tls);
    expect(tls['strict-transport-security']).toBeDefined();
    expect(tls['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(plain['strict-transport-security']).toBeUndefined();
    expect(plain['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(plain['content-security-policy']).toContain("default-src 'self'");
    expect(Object.keys(plain)).toHaveLength(Object.keys(tls).length - 1);
  });
});
