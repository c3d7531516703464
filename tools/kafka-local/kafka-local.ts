/**
 * npm run kafka:local — a Kafka-protocol broker for development, without Docker: librdkafka's mock
 * cluster (Debian's librdkafka-dev, the same broker the tests use), with the ledger's four topics
 * created. Prints the bootstrap address and how to use it, then runs until Ctrl-C. Messages live
 * in its memory only. KAFKA_LOCAL_PARTITIONS (3), LEDGER_KAFKA_TOPIC_PREFIX ('').
 */
import { topicNames, type TopicNames } from '@complaint-ledger/messaging';
import { MockKafkaCluster, mockClusterBinary } from '../../test/kafka/mock-kafka';

export interface LocalKafka {
  readonly bootstrap: string;
  readonly topics: TopicNames;
  readonly instructions: string;
  stop(): Promise<void>;
}

export async function startLocalKafka({ partitions = 3, prefix = '' } = {}): Promise<LocalKafka> {
  const binary = mockClusterBinary();
  if (!('path' in binary)) throw new Error(binary.unavailable);
  const topics = topicNames(prefix);
  const cluster = await MockKafkaCluster.start(
    binary.path,
    1,
    Object.values(topics).map((topic) => `${topic}:${partitions}`),
  );
  const bootstrap = cluster.brokers.join(',');
  const instructions = [
    `Kafka (librdkafka's mock cluster) is listening on ${bootstrap}`,
    `topics: ${Object.values(topics).join(', ')} (${partitions} partitions each)`,
    '',
    "Start the ledger against it (another terminal). This broker names a controller it does not have, which kafkajs's",
    'idempotent producer cannot get past (docs/integration.md), so locally the relay publishes without idempotence:',
    `  LEDGER_KAFKA_BROKERS=${bootstrap} LEDGER_KAFKA_IDEMPOTENT=false${prefix ? ` LEDGER_KAFKA_TOPIC_PREFIX=${prefix}` : ''} npm start`,
    'Watch the events topic with kcat:',
    `  kcat -C -b ${bootstrap} -t ${topics.events} -f '%k %h\\n%s\\n\\n'`,
    'or with the example consumer:',
    `  KAFKA_BROKERS=${bootstrap}${prefix ? ` EVENTS_TOPIC=${topics.events}` : ''} npm run example:events`,
    '',
    'Messages are kept in memory: stopping this (Ctrl-C) forgets them, and the address changes on each start.',
  ].join('\n');
  return { bootstrap, topics, instructions, stop: () => cluster.stop() };
}

async function main(): Promise<void> {
  let kafka: LocalKafka;
  try {
    kafka = await startLocalKafka({
      partitions: Number(process.env.KAFKA_LOCAL_PARTITIONS ?? 3),
      prefix: process.env.LEDGER_KAFKA_TOPIC_PREFIX ?? '',
    });
  } catch (error) {
    console.error(`kafka:local could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(kafka.instructions);
  const stop = () => void kafka.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
