import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The file a restore keeps in each folder it is putting files into, for as long as it runs. */
export const RESTORE_MARKER = 'restore-in-progress';

/**
 * Marks the folders a restore is putting files into, or a master-key rotation re-wrapping keys in
 * (`work` says which), created exclusively: two cannot run at once. A service does not start while a folder it would open is marked, and checks
 * again once it has opened its files (refuseDuringRestore), so it never runs on files a restore
 * is still placing. Returns the function that removes the marks.
 */
export function markRestore(folders: readonly string[], work = 'a restore'): () => void {
  const made: string[] = [];
  try {
    for (const folder of new Set(folders)) {
      const path = join(folder, RESTORE_MARKER);
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${work}, pid ${process.pid}, since ${new Date().toISOString()}\n`);
      closeSync(fd);
      made.push(path);
    }
  } catch (error) {
    for (const path of made) rmSync(path, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`another restore or master-key rotation is under way (${(error as { path?: string }).path})`, { cause: error });
    throw error;
  }
  return () => {
    for (const path of made) rmSync(path, { force: true });
  };
}

/** Throws when a restore is putting files into the folder of any of `files`. */
export function refuseDuringRestore(files: readonly string[]): void {
  for (const file of files) {
    const marker = join(dirname(file), RESTORE_MARKER);
    if (!existsSync(marker)) continue;
    const note = readFileSync(marker, 'utf8').trim();
    const what = note.startsWith('a master-key rotation')
      ? 'a master-key rotation is re-wrapping the keys in'
      : 'a restore is putting files into';
    throw new Error(`${what} ${dirname(file)} (${note}): start the service once it has finished`);
  }
}
