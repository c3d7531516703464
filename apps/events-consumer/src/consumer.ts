import { connectPatiently, type ComplaintIntegrationEvent } from '@complaint-ledger/messaging';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface EventsConsumerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly onEvent: (event: ComplaintIntegrationEvent, headers: Record<string, string>) => void;
  readonly say: (line: string) => void;
  readonly retryMs?: number;
  /** Gives up waiting for a broker. */
  readonly signal?: AbortSignal;
}

/**
 * Reads complaints.events.v1 from the beginning: each message's JSON (contracts/complaint-event.v1.schema.json)
 * and its headers. Unknown fields are ignored, as the compatibility rules ask of every consumer
 * (docs/integration.md); the same event delivered twice (at-least-once) has the same `eventId`.
 */
export async function runEventsConsumer(options: EventsConsumerOptions): Promise<Consumer | null> {
  const kafka = new Kafka({
    clientId: 'complaint-events-example',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING, // connection trouble is said in one line below, not as kafkajs's stack traces
    retry: { retries: 2 },
  });
  const consumer = kafka.consumer({ groupId: options.groupId });
  const connected = await connectPatiently(consumer, options.brokers, options.say, {
    retryMs: options.retryMs,
    stopped: () => options.signal?.aborted === true,
  });
  if (!connected) return null;
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      options.onEvent(JSON.parse(message.value.toString()) as ComplaintIntegrationEvent, headers);
    },
  });
  return consumer;
}
