import { backupLedger, loadConfig } from '@complaint-ledger/ledger';
import { resolve } from 'node:path';

const USAGE = `usage: npm run backup -- <file>

Writes an online, consistent backup of the ledger configured by the environment (LEDGER_STORE,
LEDGER_SQLITE_PATH, LEDGER_KEYS_PATH, LEDGER_DOCUMENTS_PATH) into <file>, a new tar file (mode
0600): the event log (with SQLite) and the residents' data keys, each copied through SQLite's
backup API while the service runs, the log verified, then the documents folder, and a manifest
of every file's SHA-256. Every command answered before the backup
began is in it. The master key is never in it. Exit status: 0 written, 1 failed.`;

/** `npm run backup -- <file>` (docs/operations.md, "Backup and restore"). */
async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    console.error(USAGE);
    return 1;
  }
  const target = resolve(args[0]!);
  const manifest = await backupLedger(loadConfig(process.env), target, (line) => console.log(line));
  const bytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  console.log(
    `backup written: ${target} (${manifest.files.map((file) => file.name).join(', ')}; ${bytes} bytes), begun ${manifest.startedAt}`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`backup failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
