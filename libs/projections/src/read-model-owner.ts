import Database from 'better-sqlite3';
import { preparePrivateFile } from '@complaint-ledger/event-store';
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Who holds a read-model file: enough for an operator to find the process. */
export interface ReadModelOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

/** Another process keeps these read models: a second one would apply every event again beside it. */
export class ReadModelInUse extends Error {
  constructor(
    readonly path: string,
    readonly owner: ReadModelOwner | null,
  ) {
    super(
      `the read models at ${path} are kept by another process` +
        (owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}: ${owner.command})` : '') +
        '; give each process that keeps read models a file of its own (LEDGER_PROJECTIONS_PATH), or stop the other first',
    );
    this.name = 'ReadModelInUse';
  }
}

/**
 * One process at a time keeps a read-model file. Two applying the same log to one file would each
 * fold every event into the documents the other already folded it into (`evolve` counts, it is
 * not idempotent), and their counts would stay doubled across restarts. The claim is an exclusive
 * SQLite lock on a small file beside the read models (`<file>-owner`), held by a connection for as
 * long as the process keeps them: the kernel lets go of it when the process ends, however it ends,
 * so a killed owner never blocks its successor. Who holds it is noted beside it
 * (`<file>-owner.json`), for the message a second process gets and for the operator.
 */
export class ReadModelOwnership {
  private constructor(private readonly lock: Database.Database | null) {}

  static claim(path: string): ReadModelOwnership {
    if (path === ':memory:' || path === '') return new ReadModelOwnership(null);
    // the file's real name: another name for the same file (a symbolic link) must meet the same lock
    const lockPath = `${realPathOf(path)}-owner`;
    preparePrivateFile(lockPath);
    const lock = new Database(lockPath, { timeout: 0 });
    try {
      lock.pragma('journal_mode = DELETE');
      lock.pragma('locking_mode = EXCLUSIVE'); // the lock taken by the first write is kept until the connection closes
      lock.exec('CREATE TABLE IF NOT EXISTS claims (claimed_at TEXT)');
      lock.prepare('INSERT INTO claims VALUES (?)').run(new Date().toISOString());
      lock.exec('DELETE FROM claims');
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new ReadModelInUse(path, ownerOf(lockPath));
      throw error;
    }
    const owner: ReadModelOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command: process.argv.slice(1).join(' ').slice(0, 300),
    };
    writeFileSync(`${lockPath}.json.partial`, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    renameSync(`${lockPath}.json.partial`, `${lockPath}.json`);
    return new ReadModelOwnership(lock);
  }

  release(): void {
    if (this.lock?.open) this.lock.close();
  }
}

/**
 * Who holds the lock, as its holder noted it; null if the note cannot be read. The note is written
 * just after the lock is taken, so for a moment it may still name the previous holder, gone since:
 * then it is read again, briefly, for the new one's.
 */
function ownerOf(lockPath: string): ReadModelOwner | null {
  for (let attempt = 0; ; attempt++) {
    let owner: ReadModelOwner | null;
    try {
      owner = JSON.parse(readFileSync(`${lockPath}.json`, 'utf8')) as ReadModelOwner;
    } catch {
      owner = null;
    }
    if ((owner && (owner.host !== hostname() || isRunning(owner.pid))) || attempt >= 10) return owner;
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

function realPathOf(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  return join(existsSync(dirname(path)) ? realpathSync(dirname(path)) : dirname(path), basename(path));
}
