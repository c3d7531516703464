import { closeSync, fsyncSync, openSync } from 'node:fs';

/** fsyncs a file or a folder (a folder: so that a file just renamed into it is found after a crash). */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
