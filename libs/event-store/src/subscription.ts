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

/**
 * "The next commit", shared by all waiting subscriptions. A waiter may also give up after a
 * timeout (for commits made by another process, which this one is never told of); it then
 * leaves the waiting set, so an idle store does not collect a waiter per poll.
 */
export class CommitSignal {
  private readonly waiting = new Set<() => void>();

  next(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs).unref();
      this.waiting.add(done);
    });
  }

  fire(): void {
    for (const done of [...this.waiting]) done();
  }
}
