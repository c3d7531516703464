import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { actorOf, principalOfRequest } from '../auth/principal';
import { correlationIdOf } from './request-context';

interface Observed {
  readonly started: bigint;
  finished: boolean;
}

const observed = new WeakMap<FastifyRequest, Observed>();
/** Load balancers' and Prometheus's requests, every few seconds: their lines only at debug level. */
const PROBES = /^\/(health\/|metrics$)/;

/**
 * Each request observed: the correlation id answered in `X-Correlation-Id`, and, with `log`, one
 * line when the request ends: method, route, status, duration, correlation id and principal
 * (health checks and metrics scrapes at debug level). The route is the template
 * (`/v1/residents/:reference/erasure`), never the path or the query, which may name a resident;
 * bodies are never logged. A client that goes away first is said so at info level: nothing went
 * wrong here.
 */
export function observeRequests(fastify: FastifyInstance, log: Logger | null): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    observed.set(request, { started: process.hrtime.bigint(), finished: false });
    void reply.header('x-correlation-id', correlationIdOf(request));
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    finish(request, reply.statusCode, log);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    finish(request, null, log);
    done();
  });
}

function finish(request: FastifyRequest, status: number | null, log: Logger | null): void {
  const seen = observed.get(request);
  if (!seen || seen.finished) return;
  seen.finished = true;
  if (!log) return;
  const durationMs = Math.round(Number(process.hrtime.bigint() - seen.started) / 10_000) / 100;
  const principal = principalOfRequest(request);
  const route = request.routeOptions.url;
  const line = {
    context: 'http',
    method: request.method,
    route: route ?? null,
    status,
    durationMs,
    correlationId: correlationIdOf(request),
    principal: principal ? actorOf(principal) : null,
    ...(status === null ? { aborted: true } : {}),
  };
  const said = `${request.method} ${route ?? '(no route)'} ${status ?? 'aborted by the client'}`;
  if (status !== null && status >= 500) log.error(line, said);
  else if (route && PROBES.test(route)) log.debug(line, said);
  else log.info(line, said);
}
