import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runTool } from '../../../../test/support/processes';

const run = promisify(execFile);

/** The service's three SQLite files in a data folder. */
export const DATA_FILES = ['ledger.sqlite', 'keys.sqlite', 'projections.sqlite'] as const;

/** What another program does to a live data folder: what an operator, a backup job or an auditor runs. */
export type Outsider = 'select' | 'sqlite3-backup' | 'verify' | 'backup' | 'outside-write';

/**
 * One round of outsiders on the live folder: each of `kinds`, on each of the service's files where
 * it applies. `sqlite3` is the command-line shell (Debian's sqlite3): a reader that, when it closes
 * as the last connection it can see, checkpoints and deletes the WAL. That is what made
 * acknowledged writes vanish while the service's own locks were dropped.
 */
export async function visit(folder: string, kinds: readonly Outsider[]): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-outside-'));
  for (const kind of kinds) {
    for (const file of DATA_FILES) {
      const path = join(folder, file);
      if (!existsSync(path)) continue;
      if (kind === 'select') await run('sqlite3', [path, 'SELECT count(*) FROM sqlite_master']);
      if (kind === 'sqlite3-backup') await run('sqlite3', [path, `.backup ${join(scratch, file)}`]);
    }
    // a program of the operator's writes a table of its own into the log's file, waiting its turn for the lock
    if (kind === 'outside-write') {
      const sql = 'CREATE TABLE IF NOT EXISTS operator_notes (note TEXT); INSERT INTO operator_notes VALUES (1)';
      await run('sqlite3', ['-cmd', '.timeout 10000', join(folder, 'ledger.sqlite'), sql]);
    }
    if (kind === 'verify') await runTool('apps/ledger-worker/src/verify.js', [folder]);
    if (kind === 'backup') {
      const done = await runTool('apps/ledger-worker/src/backup.js', [join(scratch, 'backup.tar')], {
        LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
      });
      if (done.status !== 0) throw new Error(`npm run backup failed: ${done.stderr}`);
    }
  }
}

/** Outsiders again and again until `stop()`. */
export async function keepVisiting(folder: string, kinds: readonly Outsider[], stop: () => boolean): Promise<number> {
  let visits = 0;
  while (!stop()) {
    await visit(folder, kinds);
    visits++;
  }
  return visits;
}

/** The WAL and shared-memory files a live service keeps: gone means another connection deleted them under it. */
export const walFilesMissing = (folder: string): string[] =>
  DATA_FILES.flatMap((file) => [`${file}-wal`, `${file}-shm`]).filter((file) => !existsSync(join(folder, file)));
