import { lockHolderOf, tryExclusiveLock, type HeldLock } from '@complaint-ledger/event-store';
import type { LeaseBackend, LeaseHolder } from './lease';

/**
 * The lease where every process shares one host (the SQLite log): an exclusive lock on
 * `duties.sqlite` beside the log (tryExclusiveLock), held by the process running the duties until
 * it ends, however it ends; the others try for it at every claim. The holder keeps the relay's
 * positions in that file, so the next holder resumes where it stopped.
 */
export class LockLease implements LeaseBackend {
  private lock: HeldLock | null = null;

  constructor(private readonly path: string) {}

  async claim(holder: string): Promise<LeaseHolder> {
    if (!this.lock) {
      this.lock = tryExclusiveLock(this.path, holder);
      this.lock?.db.exec('CREATE TABLE IF NOT EXISTS relay_positions (destination TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    }
    if (this.lock) return { holder, expiresAt: null };
    return { holder: lockHolderOf(this.path)?.name ?? 'another process', expiresAt: null };
  }

  async release(): Promise<void> {
    this.lock?.release();
    this.lock = null;
  }

  async relayPosition(destination: string): Promise<number | null> {
    const position = this.held().prepare('SELECT position FROM relay_positions WHERE destination = ?').pluck().get(destination);
    return (position as number | undefined) ?? null;
  }

  async saveRelayPosition(destination: string, position: number): Promise<void> {
    this.held()
      .prepare(
        'INSERT INTO relay_positions (destination, position) VALUES (?, ?) ON CONFLICT (destination) DO UPDATE SET position = excluded.position',
      )
      .run(destination, position);
  }

  async close(): Promise<void> {
    await this.release();
  }

  private held() {
    if (!this.lock) throw new Error("the duties' lease is not held here");
    return this.lock.db;
  }
}
