import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { LedgerConfig } from '../config/ledger-config';
import type { LedgerLogger } from '../logger';

export type TraceSettings = Pick<LedgerConfig, 'LEDGER_OTLP_TRACES_URL' | 'LEDGER_TRACES_SAMPLE_PERCENT'>;

export interface Tracing {
  /** Exports what is still buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops tracing in this process. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where spans go instead of the configured endpoint (tests: an in-memory exporter). */
  readonly exporter?: SpanExporter;
  /** Where the SDK's own warnings go (an export the collector refused or never answered). */
  readonly logger?: LedgerLogger;
}

/**
 * OpenTelemetry tracing in this process, when an exporter is configured (LEDGER_OTLP_TRACES_URL)
 * or given: spans batched to it, trace context kept across awaits, W3C `traceparent` read from
 * requests. Otherwise null, and nothing is traced: the libraries' spans are the API's no-ops, no
 * trace context is recorded with events and none is sent to Kafka.
 */
export function startTracing(service: string, settings: TraceSettings, options: TracingOptions = {}): Tracing | null {
  const url = settings.LEDGER_OTLP_TRACES_URL;
  const exporter = options.exporter ?? (url ? new OTLPTraceExporter({ url }) : null);
  if (!exporter) return null;
  const { logger } = options;
  if (logger) {
    const quiet = () => undefined;
    const say = (message: string, ...args: unknown[]) => logger.warn([message, ...args.map(String)].join(' '));
    diag.setLogger({ error: say, warn: say, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.LEDGER_TRACES_SAMPLE_PERCENT / 100) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register(); // the AsyncLocalStorage context manager and the W3C trace-context propagator
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}
