import type { Consumer } from 'kafkajs';

/**
 * Connects a kafkajs consumer; while no broker answers, says so in one line (no stack trace) and
 * tries again every `retryMs`, until it connects (true) or `stopped()` says to give up (false).
 * For consumers a person starts by hand, who should see "no broker at …", not kafkajs's internals.
 */
export async function connectPatiently(
  consumer: Pick<Consumer, 'connect'>,
  brokers: readonly string[],
  say: (line: string) => void,
  { retryMs = 5_000, stopped = () => false }: { retryMs?: number; stopped?: () => boolean } = {},
): Promise<boolean> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await consumer.connect();
      if (attempt > 1) say(`connected to Kafka at ${brokers.join(',')}`);
      return true;
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      say(`no Kafka broker reachable at ${brokers.join(',')} (${reason}); trying again in ${Math.round(retryMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  return false;
}
