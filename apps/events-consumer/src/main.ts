import { DEFAULT_TOPICS } from '@complaint-ledger/messaging';
import { runEventsConsumer } from './consumer';

/**
 * An example consumer of the events topic (`npm run example:events`): one line per ledger event,
 * from the beginning of complaints.events.v1. KAFKA_BROKERS (default localhost:9092), EVENTS_TOPIC,
 * GROUP_ID. Without a broker it says so in one line and tries again every 5 s.
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? process.env.LEDGER_KAFKA_BROKERS ?? 'localhost:9092').split(',');
  const topic = process.env.EVENTS_TOPIC ?? DEFAULT_TOPICS.events;
  const stop = new AbortController();
  let consumer: Awaited<ReturnType<typeof runEventsConsumer>> = null;
  const quit = () => {
    stop.abort();
    void (consumer?.disconnect() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  console.log(`reading ${topic} from ${brokers.join(',')} (Ctrl-C to stop)`);
  consumer = await runEventsConsumer({
    brokers,
    topic,
    groupId: process.env.GROUP_ID ?? `complaint-events-example-${process.pid}`,
    say: (line) => console.log(line),
    signal: stop.signal,
    onEvent: (event, headers) =>
      console.log(
        `${event.recordedAt}  ${event.eventType.padEnd(24)} complaint ${event.complaintId} revision ${event.revision}` +
          `  occurred ${event.occurredAt}${headers.ce_type ? `  (${headers.ce_type})` : ''}`,
      ),
  });
}

void main();
