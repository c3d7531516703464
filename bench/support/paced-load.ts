/**
 * An open-loop load at a steady rate: request i is due at start + i / rate, whatever happened to
 * the ones before it, and its latency is counted from when it was due (so a stalled server or a
 * late generator shows up in the figures instead of quietly lowering the rate — "coordinated
 * omission").
 *
 * Why not autocannon's own rate option: it lets each connection send its whole per-second quota
 * back to back at the start of every second and then idle, so "50 % of peak" is really full-speed
 * bursts half of each second, and its latency correction assumes one request per millisecond
 * per connection. That measures burst queueing, not a steady 50 % load.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedLoadOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** The same body for every request, or a function making each request's own. */
  readonly body?: string | (() => string);
  /** Requests per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Most requests in flight at once (open sockets). */
  readonly maxSockets?: number;
}

export interface PacedLoadResult {
  readonly rps: number;
  readonly sent: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const target = new URL(options.url);
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];

  const send = (due: number) =>
    new Promise<void>((done) => {
      const body = typeof options.body === 'function' ? options.body() : options.body;
      // a body with its length (not chunked) and no Nagle delay, as autocannon sends it
      const headers = body ? { ...options.headers, 'content-length': String(Buffer.byteLength(body)) } : options.headers;
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: options.method, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx += 1;
            done();
          });
        },
      );
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end(body);
    });

  const start = performance.now() + 50;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) inFlight.push(send(start + next++ * interval));
    if (next < total) await new Promise((r) => setTimeout(r, Math.max(0, start + next * interval - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return {
    rps: Math.round(latencies.length / elapsed),
    sent: total,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
    non2xx,
    errors,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
