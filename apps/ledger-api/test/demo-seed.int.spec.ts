import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoYear } from '../src/demo/demo-year';
import { seedThroughApi } from '../src/demo/seed-client';
import { scaled } from '../../../test/support/timeouts';

jest.setTimeout(scaled(60_000));

/**
 * A stand-in for the service's rate limit, strict enough to catch a burst: it announces 600
 * requests a minute and answers 429 to any request beyond 12 in a second. The demo seed sends
 * with 8 workers at once, so without pacing it bursts past that at once.
 */
function limitedServer(): { server: Server; statuses: number[] } {
  const statuses: number[] = [];
  const recent: number[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    const now = Date.now();
    while (recent.length && now - recent[0]! > 1000) recent.shift();
    recent.push(now);
    const status = recent.length > 12 ? 429 : 200;
    statuses.push(status);
    response.setHeader('x-ratelimit-limit', '600');
    response.setHeader('content-type', 'application/json');
    if (status === 429) response.setHeader('retry-after', '1');
    response.statusCode = status;
    const body =
      status === 429
        ? { title: 'Too many requests' }
        : request.method === 'GET'
          ? { remedies: [{ remedyId: 'r1' }, { remedyId: 'r2' }, { remedyId: 'r3' }] }
          : { id: `c${++next}`, revision: 0 };
    request.resume();
    request.on('end', () => response.end(JSON.stringify(body)));
  });
  return { server, statuses };
}

it('given a service announcing its rate limit, the demo seed paces itself under it: no 429, the whole plan sent', async () => {
  const { server, statuses } = limitedServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const ids = await seedThroughApi(`http://127.0.0.1:${port}`, 'key', demoYear(2024, 10), '2026-11-23T12:00:00.000Z');
    expect(ids.filter(Boolean)).toHaveLength(10);
    expect(statuses.length).toBeGreaterThan(30);
    expect(statuses.filter((status) => status === 429)).toEqual([]);
  } finally {
    server.close();
  }
});
