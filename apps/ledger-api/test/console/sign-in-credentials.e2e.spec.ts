import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, complaintBody, startApp } from '../support';

/**
 * A console sign-in lasts only as long as the credential it was made with: the credential is
 * checked again on every request, so a revoked API key or an expired token is signed out at the
 * next request. A sign-in form posted from another site is refused (login CSRF), and a token
 * whose subject could not stand as an event's actor is not accepted.
 */
jest.setTimeout(60_000);

const KEY = 'console-auditor-key-0123456789abcdef';
const folder = mkdtempSync(join(tmpdir(), 'console-credentials-'));
const keysFile = join(folder, 'api-keys');
const ISSUER = 'https://idp.landlord.test';
let app: NestFastifyApplication;
let jwks: Server;
let privateKey: CryptoKey;
let complaintId: string;

beforeAll(async () => {
  writeFileSync(keysFile, `audit-team:auditor+case_handler:${KEY}\n`);
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  app = await startApp({
    LEDGER_API_KEYS: '',
    LEDGER_API_KEYS_FILE: keysFile,
    LEDGER_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
    LEDGER_JWT_ISSUER: ISSUER,
  });
  complaintId = (await api(app, KEY).post('/v1/complaints').send(complaintBody()).expect(201)).body.id;
});
afterAll(async () => {
  await app?.close();
  jwks?.close();
});

/** Signs in with `credential` as the console's form does; the sign-in cookie. */
async function signIn(credential: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await request(app.getHttpServer()).post('/console/sign-in').set(headers).type('form').send({ credential }).expect(303);
  return String(response.headers['set-cookie']).split(';')[0]!;
}

/** The complaint's timeline page, as the signed-in browser asks for it: 200, or 303 to the sign-in page. */
const timeline = (cookie: string) => request(app.getHttpServer()).get(`/console/complaints/${complaintId}`).set('Cookie', cookie);

const token = (claims: { sub: string; iat: number; exp: number }) =>
  new SignJWT({ roles: ['auditor'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(privateKey);

it('signs out a sign-in made with an API key at the first request after the key is revoked', async () => {
  const cookie = await signIn(KEY);
  await timeline(cookie).expect(200);
  writeFileSync(keysFile, 'someone-else:auditor:another-key-0123456789abcdefgh\n'); // the key revoked
  // the keys file is read again within a second: from then on the API refuses the key...
  for (let i = 0; i < 100 && (await api(app, KEY).get('/v1/complaints')).status !== 401; i++) await new Promise((r) => setTimeout(r, 100));
  // ...and the very next console request is signed out, and stays so
  const next = await timeline(cookie).expect(303);
  expect(next.headers.location).toBe('/console/sign-in');
  writeFileSync(keysFile, `audit-team:auditor+case_handler:${KEY}\n`);
  for (let i = 0; i < 100 && (await api(app, KEY).get('/v1/complaints')).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  await timeline(cookie).expect(303); // the key back is a new sign-in to make, not the old one revived
});

it('signs out a sign-in made with a token at the first request after the token expired', async () => {
  const now = Math.floor(Date.now() / 1000);
  // expired 57 seconds ago: still within the 60 seconds' tolerance of clocks for 3 seconds more
  const cookie = await signIn(await token({ sub: 'auditor@landlord.test', iat: now - 120, exp: now - 57 }));
  await timeline(cookie).expect(200);
  await new Promise((r) => setTimeout(r, 4_000));
  const next = await timeline(cookie).expect(303);
  expect(next.headers.location).toBe('/console/sign-in');
});

it('refuses a sign-in form posted from another site (login CSRF), making no sign-in', async () => {
  const refused = await request(app.getHttpServer())
    .post('/console/sign-in')
    .set({ Origin: 'https://attacker.example', 'Sec-Fetch-Site': 'cross-site' })
    .type('form')
    .send({ credential: KEY })
    .expect(403);
  expect(refused.headers['set-cookie']).toBeUndefined();
  const host = `127.0.0.1:${(app.getHttpServer().address() as AddressInfo | null)?.port ?? ''}`;
  // from the console's own page it is taken
  expect(await signIn(KEY, { Origin: `http://${host}`, Host: host, 'Sec-Fetch-Site': 'same-origin' })).toMatch(/^ledger_console=/);
});

it.each([
  ['a NUL in it', 'auditor\u0000@landlord.test'],
  ['5 KB of it', 'a'.repeat(5_000)],
  ['a line break in it', 'auditor@landlord.test\nactor: someone-else'],
])('does not accept a token whose subject has %s: it could not stand as the actor of what is recorded', async (_, sub) => {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await token({ sub, iat: now, exp: now + 300 });
  await request(app.getHttpServer()).get('/v1/complaints').set('Authorization', `Bearer ${jwt}`).expect(401);
  await request(app.getHttpServer()).post('/console/sign-in').type('form').send({ credential: jwt }).expect(401);
});
