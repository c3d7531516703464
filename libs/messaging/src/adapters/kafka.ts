import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer, type SASLOptions } from 'kafkajs';
import { PublishFailed, type MessagePublisher, type OutgoingMessage } from '../publisher';

export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /**
   * Idempotent producer (the default, and what the tests run): the broker drops a retried batch
   * it already has, so kafkajs's own retries never duplicate.
   */
  readonly idempotent?: boolean;
  readonly compression?: 'gzip' | 'none';
  /** kafkajs's retries of one send, with exponential backoff, before `publish` rejects. */
  readonly retries?: number;
  readonly initialRetryTimeMs?: number;
  readonly maxRetryTimeMs?: number;
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly ssl?: boolean;
  readonly sasl?: SASLOptions;
  /** Where kafkajs's warnings and errors go (it is quiet otherwise). */
  readonly log?: (level: 'error' | 'warn', message: string) => void;
}

const CONNECTION_CHATTER = /^(Connection error|Connection timeout|Failed to connect to seed broker|Closed connection)/;

/**
 * Publishes through kafkajs with `acks: -1` (every in-sync replica), compression and bounded
 * retries. Each topic's messages keep their order; with one request in flight a retry cannot
 * overtake a later batch. A failed publish drops the connection so the next one starts clean.
 */
export class KafkaPublisher implements MessagePublisher {
  private readonly producer: Producer;
  private connected = false;
  private readonly compression: CompressionTypes;

  constructor(private readonly options: KafkaPublisherOptions) {
    const retry = {
      retries: options.retries ?? 5,
      initialRetryTime: options.initialRetryTimeMs ?? 300,
      maxRetryTime: options.maxRetryTimeMs ?? 30_000,
    };
    const kafka = new Kafka({
      clientId: options.clientId ?? 'complaint-ledger',
      brokers: [...options.brokers],
      ssl: options.ssl,
      sasl: options.sasl,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      retry,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          // a broker that cannot be reached fails the publish, which the relay reports in one line with the
          // reason; kafkajs's own line for every connection attempt would only repeat it, many times over
          if (CONNECTION_CHATTER.test(log.message)) return;
          const line = `kafkajs: ${log.message}${log.broker ? ` (broker ${String(log.broker)})` : ''}`;
          if (level <= logLevel.ERROR) options.log?.('error', line);
          else if (level === logLevel.WARN) options.log?.('warn', line);
        },
    });
    this.producer = kafka.producer({
      idempotent: options.idempotent ?? true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry,
    });
    this.compression = options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (!messages.length) return;
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      await this.producer.sendBatch({ acks: -1, compression: this.compression, topicMessages: byTopic(messages) });
    } catch (error) {
      this.connected = false;
      await this.producer.disconnect().catch(() => undefined);
      throw new PublishFailed(`Kafka did not acknowledge ${messages.length} messages: ${(error as Error).message}`, error);
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}

/** Groups messages per topic, keeping their order within each topic. */
function byTopic(messages: readonly OutgoingMessage[]) {
  const topics = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  for (const { topic, key, value, headers } of messages) {
    const list = topics.get(topic) ?? [];
    list.push({ key, value, headers: { ...headers } });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, list]) => ({ topic, messages: list }));
}
