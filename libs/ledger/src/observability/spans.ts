import { context, propagation, SpanStatusCode, trace, TraceFlags, type Attributes, type Span } from '@opentelemetry/api';

/**
 * The core's spans (OpenTelemetry API: no-ops unless the process started tracing, observability/
 * tracing.ts). Names and attributes carry kinds, ids and counts, never what a resident said.
 */
const tracer = () => trace.getTracer('@complaint-ledger/ledger');

/**
 * Runs `work` in a span of its own, a child of the active one. An exception ends it as an error,
 * unless `answered` says it is one of the ledger's answers (a refusal, a conflict retried): then
 * the span only names it.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, answered?: (error: unknown) => boolean) {
  return tracer().startActiveSpan(name, { attributes }, async (span): Promise<T> => {
    try {
      return await work(span);
    } catch (error) {
      if (answered?.(error)) span.setAttribute('ledger.outcome', (error as Error).name);
      else {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The active span's context in W3C form (`00-<trace>-<span>-01`) when it is being recorded: what
 * an event carries in its metadata, so the relay that publishes it (in this process or the
 * worker, now or after a restart) continues the trace of the request that caused it.
 */
export function recordedTraceContext(): { traceparent: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span || !(span.spanContext().traceFlags & TraceFlags.SAMPLED)) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { traceparent: carrier.traceparent } : undefined;
}
