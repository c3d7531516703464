import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import type { OutgoingMessage } from './publisher';

/** The relay's spans (OpenTelemetry API: no-ops unless the process started tracing). */
const tracer = () => trace.getTracer('@complaint-ledger/messaging');

export interface TracedBatch {
  readonly messages: OutgoingMessage[];
  /** Ends the messages' spans once the broker has acknowledged the batch, or failed to (`error`). */
  end(error?: unknown): void;
}

/**
 * The messages of a batch of events, each of an event recorded under a trace (its `traceparent`)
 * with a producer span of its own in that trace, and that span's context in the message's W3C
 * `traceparent` header: a consumer that traces continues the trace from it (AsyncAPI, Headers).
 * The spans last until the broker has answered for the whole batch. Messages of events recorded
 * without a trace go as they are.
 */
export function tracedBatch(events: readonly RecordedEvent[], messagesOf: (event: RecordedEvent) => OutgoingMessage[]): TracedBatch {
  const spans: Span[] = [];
  const messages = events.flatMap((event) => {
    const outgoing = messagesOf(event);
    const { traceparent } = event.metadata;
    if (!traceparent) return outgoing;
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
    return outgoing.map((message) => {
      const attributes = {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': message.topic,
        'messaging.kafka.message.key': message.key,
        'messaging.message.id': event.eventId,
        'ledger.position': event.position,
      };
      const span = tracer().startSpan(`send ${message.topic}`, { kind: SpanKind.PRODUCER, attributes }, parent);
      spans.push(span);
      const headers: Record<string, string> = { ...message.headers };
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
      return { ...message, headers };
    });
  });
  return {
    messages,
    end(error) {
      for (const span of spans) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
    },
  };
}
