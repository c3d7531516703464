import Database from 'better-sqlite3';
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { preparePrivateFile } from './private-file';

/** Who holds a lock: enough for an operator to find the process. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
  /** What the holder is (a holder's own name for itself, e.g. the duties' lease holder). */
  readonly name?: string;
}

/** A lock held: its connection (a SQLite file the holder may also keep small state in), released by closing it. */
export interface HeldLock {
  readonly db: Database.Database;
  release(): void;
}

/**
 * An exclusive lock held by this process for as long as it wants it: SQLite's own lock on a
 * small file (`locking_mode = EXCLUSIVE`, taken by a first write and kept until the connection
 * closes). The kernel lets go of it when the process ends, however it ends, so a killed holder
 * never blocks its successor. Who holds it is noted beside it (`<file>.json`), for the message
 * another process gets and for the operator. The file's real name is used: another name for the
 * same file (a symbolic link) meets the same lock. Null when another process holds it.
 */
export function tryExclusiveLock(path: string, name?: string): HeldLock | null {
  const lockPath = realPathOf(path);
  preparePrivateFile(lockPath);
  const db = new Database(lockPath, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS claims (claimed_at TEXT)');
    db.prepare('INSERT INTO claims VALUES (?)').run(new Date().toISOString());
    db.exec('DELETE FROM claims');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return null;
    throw error;
  }
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 300),
    ...(name ? { name } : {}),
  };
  writeFileSync(`${lockPath}.json.partial`, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(`${lockPath}.json.partial`, `${lockPath}.json`);
  return { db, release: () => db.open && db.close() };
}

/**
 * Who holds the lock on `path`, as its holder noted it; null if the note cannot be read. The note
 * is written just after the lock is taken, so for a moment it may still name the previous holder,
 * gone since: then it is read again, briefly, for the new one's.
 */
export function lockHolderOf(path: string): LockHolder | null {
  const note = `${realPathOf(path)}.json`;
  for (let attempt = 0; ; attempt++) {
    let holder: LockHolder | null;
    try {
      holder = JSON.parse(readFileSync(note, 'utf8')) as LockHolder;
    } catch {
      holder = null;
    }
    if ((holder && (holder.host !== hostname() || isRunning(holder.pid))) || attempt >= 10) return holder;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // running, as another user
  }
}

/** A file's real name (its folder's symbolic links resolved too), whether or not the file exists yet. */
export function realPathOf(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  return join(existsSync(dirname(path)) ? realpathSync(dirname(path)) : dirname(path), basename(path));
}
