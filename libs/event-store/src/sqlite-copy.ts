import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { syncFile } from './sync-file';

/**
 * A consistent copy of a live SQLite file (the log, the data keys), through SQLite's online
 * backup API, while the service goes on writing. The copy is made in one step, inside one read
 * transaction: in WAL mode readers never block the writer, and a copy made in many small steps
 * would start over each time another process commits, so under steady load it might never end.
 * The source is opened read-only, so closing it never checkpoints or removes the service's WAL.
 * The copy is fsynced and made 0600 before this returns; `target` must not exist.
 */
export async function copySqliteFile(source: string, target: string): Promise<{ pages: number }> {
  if (existsSync(target)) throw new Error(`${target} exists already: a copy never overwrites`);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(target, { progress: () => 0x7fffffff });
    chmodSync(target, 0o600);
    syncFile(target);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}
