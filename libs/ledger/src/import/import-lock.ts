import Database from 'better-sqlite3';
import { join } from 'node:path';
import { preparePrivateFile } from '@complaint-ledger/event-store';

/**
 * One process at a time works on an import (a second would decide its rows beside the first). The
 * claim is an exclusive SQLite lock on a small file in the import's folder, held by a connection
 * while the import runs: the kernel lets go of it when the process ends, however it ends, so an
 * import killed mid-way is resumed at once by the next run of the same file (as the read models'
 * owner is claimed, libs/projections/src/read-model-owner.ts).
 */
export class ImportLock {
  private constructor(private readonly lock: Database.Database) {}

  /** The lock, or null when another process holds it. */
  static claim(folder: string): ImportLock | null {
    const path = join(folder, 'lock');
    preparePrivateFile(path);
    const lock = new Database(path, { timeout: 0 });
    try {
      lock.pragma('journal_mode = DELETE');
      lock.pragma('locking_mode = EXCLUSIVE'); // the lock taken by the first write is kept until the connection closes
      lock.exec('CREATE TABLE IF NOT EXISTS claims (claimed_at TEXT)');
      lock.prepare('INSERT INTO claims VALUES (?)').run(new Date().toISOString());
      lock.exec('DELETE FROM claims');
      return new ImportLock(lock);
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return null;
      throw error;
    }
  }

  /** Whether a process is working on the import in `folder` now. */
  static held(folder: string): boolean {
    const claimed = ImportLock.claim(folder);
    claimed?.release();
    return !claimed;
  }

  release(): void {
    if (this.lock.open) this.lock.close();
  }
}
