import { DEFAULT_TOPICS } from '@complaint-ledger/messaging';
import { runDashboardConsumer } from './consumer';

/**
 * An example analytics consumer (`npm run example:ch02`): prints the live CH02 figures from
 * complaints.tsm.v1 as they change. KAFKA_BROKERS (default localhost:9092), TSM_TOPIC, GROUP_ID.
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? process.env.LEDGER_KAFKA_BROKERS ?? 'localhost:9092').split(',');
  const topic = process.env.TSM_TOPIC ?? DEFAULT_TOPICS.tsm;
  const { consumer } = await runDashboardConsumer({
    brokers,
    topic,
    groupId: process.env.GROUP_ID ?? 'ch02-dashboard',
    onChange: (dashboard) => console.log(`\n${new Date().toISOString()} CH02 (${topic})\n${dashboard.render().join('\n')}`),
  });
  const stop = () => void consumer.disconnect().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
