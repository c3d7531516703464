import { hash } from 'node:crypto';
import { GENESIS_HASH, type RecordedEvent } from '@complaint-ledger/event-store';
import type { LedgerHead } from '@complaint-ledger/domain';

/**
 * The ledger chain: one hash over the whole log in position order. Each link is the SHA-256 of
 * the link before and of the event's stream, revision, position and own hash, so removing,
 * inserting, reordering or rewriting any event anywhere changes every link after it, and the
 * signed checkpoints (which carry a link) stop matching. It is computed as the log is read, by
 * whoever reads it (the checkpointer, start-up verification, `npm run verify`), so the store's
 * append path is unchanged and EventStoreDB's log is chained the same way as SQLite's.
 */
export class LedgerChain {
  private current: LedgerHead;

  constructor(from: LedgerHead = { position: -1, events: 0, head: GENESIS_HASH }) {
    this.current = from;
  }

  get head(): LedgerHead {
    return this.current;
  }

  /** Adds the next event of the log; false (and nothing added) when its position does not follow the last. */
  add(event: RecordedEvent): boolean {
    if (event.position <= this.current.position) return false;
    const link = `${this.current.head}|${event.position}|${event.streamId}|${event.revision}|${event.metadata.hash}`;
    this.current = { position: event.position, events: this.current.events + 1, head: hash('sha256', link, 'hex') };
    return true;
  }
}
