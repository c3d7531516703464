import type { Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { Readiness } from '@complaint-ledger/ledger';
import { startHealthServer } from '../src/health-server';

/** The worker's own HTTP endpoints: health as the API's, and /metrics (its relay's and sweeps'), behind the metrics key when set. */
const ready: Readiness = { ready: true, body: { status: 'ok', checks: {} } } as unknown as Readiness;
const registry = new Registry();
new Gauge({ name: 'ledger_relay_lag_seconds', help: 'lag', registers: [registry] }).set(3);
const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

async function start(key?: string): Promise<string> {
  const server = await startHealthServer(0, '127.0.0.1', async () => ready, { registry, key });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

it('serves Prometheus metrics, open when no key is set', async () => {
  const url = await start();
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await response.text()).toMatch(/^ledger_relay_lag_seconds 3$/m);
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);
});

it('with LEDGER_METRICS_KEY, only that key as a bearer token reads them', async () => {
  const url = await start('a-metrics-key-of-enough-length');
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
  expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  const allowed = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer a-metrics-key-of-enough-length' } });
  expect(allowed.status).toBe(200);
  expect(await allowed.text()).toContain('ledger_relay_lag_seconds');
});
