import { PublishFailed, type MessagePublisher, type OutgoingMessage } from '../publisher';

/**
 * Keeps what is published in memory, per topic: the default when no broker is configured (the
 * relay then only advances its checkpoint) and the publisher the relay's tests inspect. A test
 * can make the next publishes fail, as a broker outage would.
 */
export class InProcessPublisher implements MessagePublisher {
  private readonly topics = new Map<string, OutgoingMessage[]>();
  private failures = 0;

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new PublishFailed('in-process broker unavailable (simulated)');
    }
    for (const message of messages) {
      const list = this.topics.get(message.topic) ?? [];
      list.push(message);
      this.topics.set(message.topic, list);
    }
  }

  /** Everything published to `topic`, in order. */
  messages(topic: string): readonly OutgoingMessage[] {
    return this.topics.get(topic) ?? [];
  }

  /** The next `count` publishes fail without writing anything. */
  failNext(count: number): void {
    this.failures = count;
  }

  async close(): Promise<void> {}
}
