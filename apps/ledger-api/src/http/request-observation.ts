import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { actorOf, principalOfRequest } from '../auth/principal';
import { correlationIdOf } from './request-context';

interface Observed {
  readonly started: bigint;
  readonly span: Span;
  readonly context: Context;
  finished: boolean;
}

const observed = new WeakMap<FastifyRequest, Observed>();
/** Load balancers' and Prometheus's requests, every few seconds: their lines only at debug level. */
const PROBES = /^\/(health\/|metrics$)/;
const tracer = () => trace.getTracer('@complaint-ledger/ledger-api');

/**
 * Each request observed: a server span (OpenTelemetry; a no-op unless the process traces), a child
 * of the caller's trace when the request carries a W3C `traceparent`, active while the route runs
 * so the write path's spans join it; the correlation id answered in `X-Correlation-Id`; and, with
 * `log`, one line when the request ends: method, route, status, duration, correlation id,
 * principal and trace id (health checks and metrics scrapes at debug level). The route is the
 * template (`/v1/residents/:reference/erasure`), never the path or the query, which may name a
 * resident; bodies are never logged. A client that goes away first is said so at info level:
 * nothing went wrong here.
 */
export function observeRequests(fastify: FastifyInstance, log: Logger | null): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const attributes = {
      'http.request.method': request.method,
      ...(route ? { 'http.route': route } : {}),
      'ledger.correlation_id': correlationIdOf(request),
    };
    const span = tracer().startSpan(route ? `${request.method} ${route}` : request.method, { kind: SpanKind.SERVER, attributes }, parent);
    observed.set(request, { started: process.hrtime.bigint(), span, context: trace.setSpan(parent, span), finished: false });
    void reply.header('x-correlation-id', correlationIdOf(request));
    done();
  });
  // the route's own work (guards, the write path) runs in the request's span
  fastify.addHook('preHandler', (request, _reply, done) => {
    const seen = observed.get(request);
    if (seen) context.with(seen.context, done);
    else done();
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
  const { span } = seen;
  const durationMs = Math.round(Number(process.hrtime.bigint() - seen.started) / 10_000) / 100;
  if (status === null) span.setAttribute('ledger.client_aborted', true);
  else span.setAttribute('http.response.status_code', status);
  if (status !== null && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  if (!log) return;
  const principal = principalOfRequest(request);
  const traceId = span.spanContext().traceFlags & TraceFlags.SAMPLED ? span.spanContext().traceId : undefined;
  const route = request.routeOptions.url;
  const line = {
    context: 'http',
    method: request.method,
    route: route ?? null,
    status,
    durationMs,
    correlationId: correlationIdOf(request),
    principal: principal ? actorOf(principal) : null,
    ...(traceId ? { traceId } : {}),
    ...(status === null ? { aborted: true } : {}),
  };
  const said = `${request.method} ${route ?? '(no route)'} ${status ?? 'aborted by the client'}`;
  if (status !== null && status >= 500) log.error(line, said);
  else if (route && PROBES.test(route)) log.debug(line, said);
  else log.info(line, said);
}
