/**
 * The port every message publisher implements. `publish` resolves only once the broker has
 * acknowledged every message (for Kafka: written to all in-sync replicas, `acks: -1`); if it
 * rejects, any of the messages may or may not have been written — callers publish them again,
 * and consumers drop the duplicates by event id (at-least-once delivery).
 */
export interface OutgoingMessage {
  readonly topic: string;
  /** Messages with the same key keep their order (one partition per key). */
  readonly key: string;
  /** JSON text. */
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MessagePublisher {
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** The broker did not acknowledge a batch; nothing about it can be assumed. */
export class PublishFailed extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PublishFailed';
  }
}
