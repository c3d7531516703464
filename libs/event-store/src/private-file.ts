import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes a database file readable and writable by this service's user only (0600), in a folder
 * only it can list (0700) when the folder is new, before SQLite opens it: SQLite gives the
 * file's WAL and shared-memory files the same mode. A file made by an earlier version with a
 * wider mode is narrowed. The log holds complaints, and the key file the keys to residents' data:
 * no other account on the machine has any business reading either.
 */
export function preparePrivateFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`])
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
