import { loadConfig, restoreLedger } from '@complaint-ledger/ledger';
import { resolve } from 'node:path';

const USAGE = `usage: npm run restore -- <backup file> [--into <folder>]

Puts a backup made by npm run backup in place: the log where LEDGER_SQLITE_PATH says (or
<folder>/ledger.sqlite), the keys where LEDGER_KEYS_PATH says (or <folder>/keys.sqlite) and the
documents where LEDGER_DOCUMENTS_PATH says (or <folder>/documents). The
service must be stopped, and those files must not exist, nor what the service derives from the log
(its verified mark, Merkle tree, duties, an import under way): move them aside, nothing is
overwritten. The backup's SHA-256s, and the backup as npm run verify checks a folder (with the
configured signing, event and master keys), are checked first; on any mismatch nothing is
restored. The read models are rebuilt at the next start. Exit status: 0 restored, 1 not.`;

/** `npm run restore -- <file> [--into <folder>]` (docs/operations.md, "Backup and restore"). */
async function main(args: string[]): Promise<number> {
  const at = args.indexOf('--into');
  const into = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0) args.splice(at, 2);
  if (args.length !== 1 || args[0]!.startsWith('-') || (at >= 0 && !into)) {
    console.error(USAGE);
    return 1;
  }
  const restored = await restoreLedger(loadConfig(process.env), resolve(args[0]!), into ? resolve(into) : null, (line) =>
    console.log(line),
  );
  if (restored.log) console.log(`log restored:  ${restored.log}`);
  if (restored.keys) console.log(`keys restored: ${restored.keys}`);
  if (restored.documents) console.log(`documents restored: ${restored.documents}`);
  console.log(
    `backup begun ${restored.manifest.startedAt}: commands answered after that are not in it, and erasures made since must be made again`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`restore failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
