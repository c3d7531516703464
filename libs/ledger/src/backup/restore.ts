import { syncFile } from '@complaint-ledger/event-store';
import { DataKeyStore } from '@complaint-ledger/privacy';
import Database from 'better-sqlite3';
import {
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  statSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tar from 'tar';
import type { LedgerConfig } from '../config/ledger-config';
import { masterKeyFrom } from '../open/personal-data';
import { copiedFilesIn, describeCopy, DOCUMENTS_FOLDER, KEYS_FILE, LOG_FILE, MANIFEST_FILE, sha256Of, type BackupManifest } from './backup';
import { verifyCopy } from './verify-copy';
import { markRestore } from './restore-marker';
import { ImportJournal, isResumable, JOURNAL_FILE } from '../import/journal';

export interface RestoreResult {
  readonly manifest: BackupManifest;
  /** Where the log, the keys and the documents were put. */
  readonly log: string | null;
  readonly keys: string | null;
  readonly documents: string | null;
  /** Whether the configured master key opens the restored keys (null: no key configured, or no keys). */
  readonly masterKeyOpensKeys: boolean | null;
}

/**
 * `npm run restore -- <file> [--into <folder>]`: puts a backup's log and keys in place, for a
 * service that is not running. Refuses a folder that already holds a log, keys or read models, or
 * any file SQLite keeps beside them (a WAL, a rollback journal: move them aside first; a restore
 * never overwrites), a file whose manifest or SHA-256 do not match, and a log that does not
 * verify. The folders are marked while it runs, and a service does not start on a marked folder.
 * The read models and the verified mark are left out: the first start rebuilds the one and
 * verifies the whole log instead of the other.
 */
export async function restoreLedger(
  config: LedgerConfig,
  source: string,
  into: string | null,
  say: (line: string) => void = () => undefined,
): Promise<RestoreResult> {
  const logTarget = into ? join(into, LOG_FILE) : resolve(config.LEDGER_SQLITE_PATH);
  const keysTarget = into ? join(into, KEYS_FILE) : resolve(config.keysPath);
  const projections = into ? join(into, 'projections.sqlite') : resolve(config.projectionsPath);
  const documentsTarget = into ? join(into, DOCUMENTS_FOLDER) : config.documentsPath && resolve(config.documentsPath);
  for (const folder of [dirname(logTarget), dirname(keysTarget)]) mkdirSync(folder, { recursive: true, mode: 0o700 });
  // marked first, then checked: a service starting meanwhile either sees the mark, or made files the check finds
  const unmark = markRestore([dirname(logTarget), dirname(keysTarget)]);
  const work = mkdtempSync(join(dirname(logTarget), '.restore-'));
  try {
    const present = [
      ...[logTarget, keysTarget, projections, ...derivedFrom(config, into, dirname(logTarget))].flatMap((file) => filesOf(file)),
      ...documentsIn(documentsTarget),
      ...importsUnderWay(into ? join(into, 'imports') : resolve(config.importsPath)),
    ];
    if (present.length)
      throw new Error(
        `${present.join(', ')} exist: stop the service and move the folder's files aside (read models, the verified mark and imports under way included) before restoring`,
      );
    await tar.extract({
      file: source,
      cwd: work,
      strict: true,
      filter: (path) => [MANIFEST_FILE, LOG_FILE, KEYS_FILE].includes(path) || path.startsWith(`${DOCUMENTS_FOLDER}/`),
    });
    const manifest = readManifest(join(work, MANIFEST_FILE));
    for (const file of manifest.files) {
      const path = join(work, file.name);
      if (!existsSync(path)) throw new Error(`the backup lists ${file.name}, which it does not hold`);
      if ((await sha256Of(path)) !== file.sha256) throw new Error(`${file.name} in the backup is not the file it was: its SHA-256 differs`);
    }
    const hasLog = manifest.files.some((file) => file.name === LOG_FILE);
    const hasKeys = manifest.files.some((file) => file.name === KEYS_FILE);
    let masterKeyOpensKeys: boolean | null = null;
    if (hasLog) {
      // as npm run verify checks a folder, with this configuration's keys: the manifest's SHA-256s are the backup's own, recomputed by whoever edits it
      const verified = await verifyCopy(copiedFilesIn(work), config, witnessOf(config, dirname(logTarget)));
      say(`log: ${verified.log.events} events up to position ${verified.log.lastPosition}, ${describeCopy(verified)}`);
      if (verified.problem) throw new Error(`the backup does not verify (${verified.problem}): nothing was restored`);
      masterKeyOpensKeys = verified.log.keysChecked ? true : null;
    } else {
      say('this backup holds no log (its store was EventStoreDB): restore the server from its own backup taken before this one');
      masterKeyOpensKeys = hasKeys ? opensKeys(join(work, KEYS_FILE), config) : null;
      if (masterKeyOpensKeys === false)
        throw new Error(
          "the configured master key does not open the backup's keys: nothing was restored (configure the ledger's master key)",
        );
    }
    // linked, never renamed: a link fails if anything appeared at the name meanwhile, where a rename would replace it
    if (hasKeys) place(join(work, KEYS_FILE), keysTarget);
    const documents = manifest.files.filter((file) => file.name.startsWith(`${DOCUMENTS_FOLDER}/`));
    if (documents.length && !documentsTarget)
      throw new Error('the backup holds documents, and no documents folder is configured (LEDGER_DOCUMENTS_PATH)');
    for (const { name } of documents) {
      const to = join(documentsTarget!, name.slice(DOCUMENTS_FOLDER.length + 1));
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      place(join(work, name), to);
    }
    if (documents.length) say(`documents: ${documents.length} files`);
    // the log last: a service started on the folder finds every document and key the log names
    if (hasLog) place(join(work, LOG_FILE), logTarget);
    const witness = witnessOf(config, dirname(logTarget));
    if (hasLog && witness && existsSync(witness))
      say(
        `the witness file ${witness} lists checkpoints signed after the backup: keep it as the record of what the restore took back, and start the service with a new LEDGER_CHECKPOINT_WITNESS_FILE`,
      );
    return {
      manifest,
      log: hasLog ? logTarget : null,
      keys: hasKeys ? keysTarget : null,
      documents: documents.length ? documentsTarget! : null,
      masterKeyOpensKeys,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    unmark();
  }
}

/**
 * What the service keeps beside the log and derives from it, each of which a restored log would
 * contradict: the duties' file (the relay's position, past the restored log's end), the verified
 * mark (a checkpoint the restored log may not hold: the start would call it cut back), the Merkle
 * tree (leaves for positions the restored log reuses). Imports under way are checked apart.
 */
function derivedFrom(config: LedgerConfig, into: string | null, folder: string): string[] {
  return [
    join(folder, 'duties.sqlite'),
    into ? join(into, 'verified-mark.json') : config.verifiedMarkPath && resolve(config.verifiedMarkPath),
    into ? join(into, 'merkle.sqlite') : resolve(config.merklePath),
  ].filter((file): file is string => !!file);
}

/**
 * The witness file the restored ledger's service would compare with: the configured one, else the
 * one a local setup keeps beside the log. The backup is checked against it (it is the evidence kept
 * outside the log), and it stays: it lists the checkpoints the restore takes back.
 */
function witnessOf(config: LedgerConfig, folder: string): string | null {
  if (config.LEDGER_CHECKPOINT_WITNESS_FILE) return config.LEDGER_CHECKPOINT_WITNESS_FILE;
  const beside = join(folder, 'checkpoints-witness.jsonl');
  return existsSync(beside) ? beside : null;
}

/**
 * An import the restored log would contradict: one a run of its file would resume (interrupted,
 * running, or ended failed: its journal counts rows decided into the log being replaced, so the
 * resumed run would skip them), and uploads under way. Saved mappings and imports done (or dry runs)
 * are the landlord's reports, kept.
 */
function importsUnderWay(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (name === 'uploads') {
      found.push(...documentsIn(path));
      continue;
    }
    const journal = ImportJournal.read(path);
    if (!journal) continue;
    try {
      if (isResumable(journal.allMeta())) found.push(join(path, JOURNAL_FILE));
    } finally {
      journal.close();
    }
  }
  return found;
}

/** The database file and every file SQLite keeps beside it (its WAL, shared memory, rollback journal, our owner lock). */
function filesOf(file: string): string[] {
  const folder = dirname(file);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name === basename(file) || name.startsWith(`${basename(file)}-`))
    .map((name) => join(folder, name));
}

/** The documents already in a documents folder (a restore never puts one over another). */
function documentsIn(folder: string | undefined): string[] {
  if (!folder || !existsSync(folder)) return [];
  return (readdirSync(folder, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function place(from: string, to: string): void {
  try {
    // another file system (the keys kept apart): copied, still never over an existing file
    if (statSync(from).dev !== statSync(dirname(to)).dev) copyFileSync(from, to, constants.COPYFILE_EXCL);
    else linkSync(from, to);
    syncFile(to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${to} appeared while the restore ran (was a service started?): nothing of it was replaced`, { cause: error });
    throw error;
  }
  syncFile(dirname(to));
}

function readManifest(path: string): BackupManifest {
  if (!existsSync(path)) throw new Error('not a complaint-ledger backup: it holds no manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (manifest.format !== 'complaint-ledger-backup' || manifest.version !== 1)
    throw new Error(`not a backup this version can restore (format ${manifest.format}, version ${manifest.version})`);
  return manifest;
}

/** Whether the configured master key unwraps one of the keys (any will do: one master key wraps them all); null without one. */
function opensKeys(path: string, config: LedgerConfig): boolean | null {
  let masterKey: Buffer;
  try {
    masterKey = masterKeyFrom(config);
  } catch {
    return null;
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const sample = db.prepare('SELECT key_id FROM data_keys LIMIT 1').pluck().get() as string | undefined;
  db.close();
  if (sample === undefined) return null;
  const keys = new DataKeyStore(path, masterKey);
  try {
    keys.find(sample);
    return true;
  } catch {
    return false;
  } finally {
    keys.close();
  }
}
