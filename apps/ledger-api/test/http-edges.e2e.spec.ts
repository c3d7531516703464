import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest } from 'node:http';
import { complaintBody, KEYS, startApp } from './support';

/**
 * What the HTTP edge refuses before a route sees the request, sent over a raw socket so nothing
 * in a client library tidies the request first: every refusal is problem+json with a title that
 * says what is wrong, never a 5xx, and nothing is recorded.
 */
interface Answer {
  status: number;
  type: string;
  headers: Record<string, unknown>;
  body: { type?: string; title?: string; status?: number; detail?: string; code?: string };
}

let app: NestFastifyApplication;
let port: number;

beforeAll(async () => {
  app = await startApp({ LEDGER_RATE_LIMIT_PER_MINUTE: '40' });
  await app.listen(0, '127.0.0.1');
  port = (app.getHttpServer().address() as { port: number }).port;
});
afterAll(async () => app.close());

function send(path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers: { 'x-api-key': KEYS.all, ...headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            type: String(response.headers['content-type']),
            headers: response.headers,
            body: JSON.parse(text || '{}'),
          }),
        );
      },
    );
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}
const json = { 'content-type': 'application/json' };
const complaintsRecorded = async () => (await send('/v1/complaints?limit=200')).body as unknown as { items: unknown[] };

function expectProblem(answer: Answer, status: number, title: string): void {
  expect(answer.status).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ title, status, detail: expect.any(String) });
  expect(answer.body.title).not.toMatch(/^(Http|Throttler)$/);
}

it('413: a body over 256 KB', async () => {
  expectProblem(await send('/v1/complaints', json, JSON.stringify(complaintBody({ summary: 'a'.repeat(300_000) }))), 413, 'Body too large');
});

type Operation = { responses: Record<string, { headers?: Record<string, unknown> }> };

/**
 * Refused before any route (so the suite's check of each answer against the OpenAPI document never
 * sees them): the document still lists the status for the operations it can reach, with no header
 * the answer does not carry.
 */
async function expectDocumented(answer: Answer, reaches: (path: string) => boolean): Promise<void> {
  const document = (await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ where: `${method} ${path}`, path, operation })),
  );
  const reached = operations.filter(({ path }) => reaches(path));
  expect(reached.length).toBeGreaterThan(0);
  for (const { where, operation } of reached) {
    const documented = operation.responses[String(answer.status)];
    expect({ where, documented: documented !== undefined }).toEqual({ where, documented: true });
    const notSent = Object.keys(documented?.headers ?? {}).filter((name) => !(name.toLowerCase() in answer.headers));
    expect({ where, notSent }).toEqual({ where, notSent: [] });
  }
}

it('414: a path segment longer than any id, with the security headers, documented wherever the path takes one', async () => {
  const answer = await send(`/v1/complaints/${'a'.repeat(5000)}`);
  expectProblem(answer, 414, 'URL too long');
  expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'content-security-policy': expect.any(String) });
  await expectDocumented(answer, (path) => path.includes('{'));
});

it('431: headers over 16 KB, documented for every operation', async () => {
  const answer = await send('/v1/complaints', { 'x-padding': 'a'.repeat(20_000) });
  expectProblem(answer, 431, 'Headers too large');
  await expectDocumented(answer, () => true);
});

it('400: a URL whose percent-encoding does not decode', async () => {
  expectProblem(await send('/v1/complaints/%E0%A4%A'), 400, 'Invalid URL');
});

it('400: malformed JSON, naming it', async () => {
  const answer = await send('/v1/complaints', json, '{"receivedAt":');
  expectProblem(answer, 400, 'Malformed JSON');
  expect(answer.body.code).toBe('BODY.MALFORMED_JSON');
});

it.each([
  ['a 4 KB body nested 2,000 levels deep', `${'{"resident":'.repeat(2000)}1${'}'.repeat(2000)}`],
  ['remedies nested 2,000 arrays deep', JSON.stringify({ remedies: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) })],
])('400: %s is refused before validation (no stack overflow)', async (_, body) => {
  const answer = await send('/v1/complaints', json, body);
  expectProblem(answer, 400, 'JSON nested too deeply');
  expect(answer.body.code).toBe('BODY.TOO_DEEP');
});

it.each([
  ['text/plain', { 'content-type': 'text/plain' }],
  ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['no content type', {}],
])('415: a body sent as %s, not JSON, however JSON it looks', async (_, headers) => {
  const answer = await send('/v1/complaints', headers, JSON.stringify(complaintBody()));
  expectProblem(answer, 415, 'Unsupported media type');
  expect(answer.body.detail).toMatch(/application\/json/);
});

it.each(['utf-8', 'US-ASCII'])('JSON with the charset %s is accepted', async (charset) => {
  expect(
    (await send('/v1/complaints', { 'content-type': `application/json; charset=${charset}` }, JSON.stringify(complaintBody()))).status,
  ).toBe(201);
});

it.each(['iso-8859-1', 'utf-16'])('415: JSON said to be %s, which would be read as something it is not', async (charset) => {
  const answer = await send('/v1/complaints', { 'content-type': `application/json; charset=${charset}` }, JSON.stringify(complaintBody()));
  expectProblem(answer, 415, 'Unsupported media type');
  expect(answer.body.detail).toMatch(new RegExp(`sent as ${charset}: JSON is read as UTF-8 only`));
});

it('404 for an unknown route is problem+json titled "Not found"', async () => {
  expectProblem(await send('/v1/nothing-here'), 404, 'Not found');
});

it('nothing refused above was recorded', async () => {
  let listed = await complaintsRecorded();
  for (let i = 0; i < 50 && listed.items.length < 2; i++) listed = await new Promise((r) => setTimeout(() => r(complaintsRecorded()), 20));
  expect(listed.items).toHaveLength(2); // only the two accepted above, once the read side has them
});

it('429 once the rate limit is spent, titled "Too many requests"', async () => {
  let answer: Answer | undefined;
  for (let i = 0; i < 60 && answer?.status !== 429; i++) answer = await send('/health/live');
  for (let i = 0; i < 60 && answer?.status !== 429; i++) answer = await send('/v1/complaints');
  expectProblem(answer!, 429, 'Too many requests');
});
