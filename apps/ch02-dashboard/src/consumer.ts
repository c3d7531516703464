import { connectPatiently, type TsmSnapshot } from '@complaint-ledger/messaging';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Ch02Dashboard } from './dashboard';

export interface DashboardConsumerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly onChange: (dashboard: Ch02Dashboard, snapshot: TsmSnapshot) => void;
  /** Where "no broker reachable" is said (one line, then another try); the console by default. */
  readonly say?: (line: string) => void;
}

/** Consumes the TSM topic from the beginning (a compacted topic holds the latest per key) into a dashboard. */
export async function runDashboardConsumer(options: DashboardConsumerOptions): Promise<{ dashboard: Ch02Dashboard; consumer: Consumer }> {
  const dashboard = new Ch02Dashboard();
  const consumer = new Kafka({
    clientId: 'ch02-dashboard',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  }).consumer({
    groupId: options.groupId,
  });
  await connectPatiently(consumer, options.brokers, options.say ?? ((line) => console.log(line)));
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const snapshot = JSON.parse(message.value.toString()) as TsmSnapshot;
      if (snapshot.eventType === 'TsmSnapshot' && dashboard.apply(snapshot)) options.onChange(dashboard, snapshot);
    },
  });
  return { dashboard, consumer };
}
