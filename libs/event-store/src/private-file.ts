import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes a database file readable and writable by this service's user only (0600), in a folder
 * only it can list (0700) when the folder is new, before SQLite opens it: SQLite gives the
 * file's WAL and shared-memory files the same mode. A file made by an earlier version with a
 * wider mode is narrowed. The log holds complaints, and the key file the keys to residents' data:
 * no other account on the machine has any business reading either.
 *
 * An existing file is never opened here, only changed by its path. SQLite's locks are POSIX
 * locks, which belong to the process, not to a descriptor: closing *any* descriptor on the file
 * releases every lock the process holds on it (SQLite's "How To Corrupt" page, 2.2). Opening and
 * closing the file beside a live connection (a second connection, the writer thread's) dropped
 * the service's locks, so another program's connection (`sqlite3 ledger.sqlite 'select 1'`, an
 * online backup) believed itself the last one, checkpointed and deleted the WAL the service was
 * still writing: acknowledged commands vanished at the next crash. A missing file is created
 * exclusively (O_EXCL): no connection of this process can be open on a file that did not exist.
 */
export function preparePrivateFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) createExclusively(path);
  for (const file of [path, `${path}-wal`, `${path}-shm`])
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

function createExclusively(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // made meanwhile by someone else: never opened here
    throw error;
  }
  closeSync(fd);
}
