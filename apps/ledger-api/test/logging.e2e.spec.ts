import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ensureBuilt, freePort, killAll, ready, startNode, stop } from '../../../test/support/processes';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from './support';

/**
 * The service's log as an operator's collector receives it: the built API in its own process, as
 * in production (NODE_ENV=production, output not a terminal). Every line is one JSON object; each
 * request has one line with its correlation id, principal, status and duration; a resident's
 * personal data, sent in every way a client can send it, appears in no line; a client that goes
 * away mid-request is not an error.
 */
jest.setTimeout(120_000);
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

/** What a resident said and who they are: none of it may be logged. */
const PERSONAL = {
  name: 'Philippa Quennell-Oxbury',
  email: 'p.quennell-oxbury@example.org',
  phone: '07700 900461',
  reference: 'RES-QX-55817',
  summary: 'Black mould behind the wardrobe in the back bedroom since the flood',
  representative: 'Barnaby Thistlewood',
  definition: 'Mould untreated; wants the wall treated and the wardrobe replaced',
};

type Line = Record<string, unknown>;

it('writes one JSON line per request, with correlation id, principal, status and duration, and never personal data', async () => {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, output } = startLogged({
    NODE_ENV: 'production',
    PORT: String(port),
    LEDGER_SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'ledger-logging-')), 'ledger.sqlite'),
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
  });
  await ready(base, child);
  const send = (path: string, init: { method?: string; key?: string; body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-api-key': init.key ?? KEYS.case_handler, 'content-type': 'application/json', ...init.headers },
      body: init.body,
    });

  // a complaint with every kind of personal data the API takes, under the client's correlation id
  const received = await send('/v1/complaints', {
    method: 'POST',
    headers: { 'x-correlation-id': 'log-test-receive' },
    body: JSON.stringify(
      complaintBody({
        summary: PERSONAL.summary,
        channel: 'phone',
        resident: { reference: PERSONAL.reference, name: PERSONAL.name, email: PERSONAL.email, phone: PERSONAL.phone },
        representative: { name: PERSONAL.representative, relationship: 'advocate', consentReceivedAt: '2024-05-01T09:00:00+01:00' },
      }),
    ),
  });
  expect(received.status).toBe(201);
  expect(received.headers.get('x-correlation-id')).toBe('log-test-receive');
  const { id } = (await received.json()) as { id: string };
  // refused with personal data in the body, in malformed JSON, in the query; read back decrypted; erased by a path naming the resident
  const acknowledgement = { stage: 1, acknowledgedAt: 'not a date', complaintDefinition: PERSONAL.definition, handler: PERSONAL.name };
  expect((await send(`/v1/complaints/${id}/acknowledgements`, { method: 'POST', body: JSON.stringify(acknowledgement) })).status).toBe(400);
  expect((await send('/v1/complaints', { method: 'POST', body: `{"summary": "${PERSONAL.summary}", ${PERSONAL.name}` })).status).toBe(400);
  expect((await send(`/v1/complaints/${id}?asOf=${encodeURIComponent(PERSONAL.name)}`)).status).toBe(400);
  const read = await send(`/v1/complaints/${id}/history`, { key: KEYS.auditor });
  const history = await read.text();
  expect(history).toContain(PERSONAL.name);
  expect(JSON.parse(history)).toMatchObject({ events: [{ correlationId: 'log-test-receive' }] }); // the events carry the request's id
  const made = read.headers.get('x-correlation-id');
  expect(made).toMatch(/^[0-9a-f-]{36}$/); // none sent: one made for the request
  // an analyst asking for the history: refused, and the line says who was
  expect(
    (await send(`/v1/complaints/${id}/history`, { key: KEYS.analyst, headers: { 'x-correlation-id': 'log-test-refused' } })).status,
  ).toBe(403);
  const erased = await send(`/v1/residents/${PERSONAL.reference}/erasure`, { method: 'POST', key: KEYS.admin, body: '{}' });
  expect(erased.status).toBe(200);
  // a client that sends half a body with personal data in it and hangs up
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `POST /v1/complaints HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-API-Key: ${KEYS.case_handler}\r\n` +
      `Content-Length: 5000\r\n\r\n{"summary": "${PERSONAL.summary}", "resident": {"name": "${PERSONAL.name}"`,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  socket.destroy();
  await until(() => lines(output()).some((line) => line.aborted === true));
  await stop(child);

  const all = lines(output());
  // every line, stdout and stderr alike, is a JSON object an operator's collector can parse
  expect(
    output()
      .split('\n')
      .filter((text) => text.trim() && !isJson(text)),
  ).toEqual([]);
  for (const line of all)
    expect(line).toMatchObject({ time: expect.any(String), level: expect.any(String), service: 'complaint-ledger-api' });
  const text = output().toLowerCase();
  for (const value of Object.values(PERSONAL)) expect(text).not.toContain(value.toLowerCase());
  for (const value of [PERSONAL.name.split(' ')[1]!, 'wardrobe', 'thistlewood']) expect(text).not.toContain(value.toLowerCase());
  expect(all.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);

  const requests = all.filter((line) => line.context === 'http');
  expect(requests.find((line) => line.correlationId === 'log-test-receive')).toMatchObject({
    level: 'info',
    method: 'POST',
    route: '/v1/complaints',
    status: 201,
    principal: 'api-key:case-system',
    durationMs: expect.any(Number),
  });
  expect(requests.find((line) => line.correlationId === made)).toMatchObject({
    route: '/v1/complaints/:id/history',
    principal: 'api-key:audit-team',
  });
  expect(requests.find((line) => line.route === '/v1/residents/:reference/erasure')).toMatchObject({
    status: 200,
    principal: 'api-key:dpo',
  });
  expect(requests.find((line) => line.correlationId === 'log-test-refused')).toMatchObject({
    status: 403,
    principal: expect.stringMatching(/^api-key:/),
  });
  expect(requests.filter((line) => line.status === 400)).toHaveLength(3);
  expect(requests.filter((line) => line.aborted === true)).toEqual([
    expect.objectContaining({ level: 'info', status: null, route: '/v1/complaints' }),
  ]);
  expect(requests).toHaveLength(8); // one per request: the health checks while it started are at debug level, below the default
});

/** The API's process with its output kept: stdout and stderr, in the order they came. */
function startLogged(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = startNode('apps/ledger-api/src/main.js', env, [], 'pipe');
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

const isJson = (text: string) => {
  try {
    return typeof JSON.parse(text) === 'object';
  } catch {
    return false;
  }
};

const lines = (text: string): Line[] =>
  text
    .split('\n')
    .filter(isJson)
    .map((line) => JSON.parse(line) as Line);

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('the condition did not come true');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
