import type { RecordedEvent, Subscription } from './port';

/**
 * Catch-up then live, for stores that can read by position and signal new commits: read pages
 * after the last delivered position; when none are left, wait for the next commit and read again.
 * Reading by position (never pushing events) means no event can slip between catch-up and live.
 */
export function positionalSubscription(
  afterPosition: number,
  readAll: (after: number, limit: number) => Promise<RecordedEvent[]>,
  nextCommit: () => Promise<void>,
  handler: (event: RecordedEvent) => Promise<void> | void,
  onError: (error: unknown) => void = () => undefined,
): Subscription {
  let open = true;
  let position = afterPosition;
  const done = (async () => {
    while (open) {
      try {
        const committed = nextCommit(); // armed before reading, so a commit during the read is not missed
        const page = await readAll(position, 500);
        for (const event of page) {
          if (!open) return;
          await handler(event);
          position = event.position;
        }
        if (page.length < 500) await committed;
      } catch (error) {
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    async close() {
      open = false;
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 50))]);
    },
  };
}

/** A resolvable "next commit" signal shared by all waiting subscriptions. */
export class CommitSignal {
  private waiting: (() => void)[] = [];
  next(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  fire(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
