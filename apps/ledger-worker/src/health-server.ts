import { createServer, type Server } from 'node:http';
import { mayReadMetrics, type Readiness } from '@complaint-ledger/ledger';
import type { Registry } from 'prom-client';

/**
 * The worker has no API, but orchestrators still need to ask it whether it lives and how far
 * behind its projections and its Kafka relay are: GET /health/live and /health/ready, as the API,
 * and GET /metrics (Prometheus: the relay's lag, pending and published events and failures, the
 * sweeps' commands), behind LEDGER_METRICS_KEY when it is set.
 */
export function startHealthServer(
  port: number,
  address: string,
  check: () => Promise<Readiness>,
  metrics?: { registry: Registry; key?: string },
): Promise<Server> {
  const server = createServer((request, response) => {
    const send = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { status: 405, title: 'Method Not Allowed' });
    if (request.url === '/health/live') return send(200, { status: 'ok' });
    if (request.url === '/health/ready') {
      check().then(
        ({ ready, body }) => send(ready ? 200 : 503, body),
        (error: unknown) => send(503, { status: 'unavailable', detail: (error as Error).message }),
      );
      return;
    }
    if (request.url === '/metrics' && metrics) {
      if (!mayReadMetrics(metrics.key, request.headers.authorization))
        return send(401, {
          status: 401,
          title: 'Unauthenticated',
          detail: 'GET /metrics needs "Authorization: Bearer <LEDGER_METRICS_KEY>".',
        });
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(text);
        },
        (error: unknown) => send(500, { status: 500, title: 'Metrics unavailable', detail: (error as Error).message }),
      );
      return;
    }
    send(404, { status: 404, title: 'Not Found' });
  });
  return new Promise((resolve) => server.listen(port, address, () => resolve(server)));
}
