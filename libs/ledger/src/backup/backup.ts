import { copySqliteFile, syncFile } from '@complaint-ledger/event-store';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import * as tar from 'tar';
import type { LedgerConfig } from '../config/ledger-config';
import { verifyCopy, type CopiedFiles, type CopiedLog, type CopyVerdict } from './verify-copy';

/** What a backup file holds besides the databases: how to check it, and what it is a copy of. */
export interface BackupManifest {
  readonly format: 'complaint-ledger-backup';
  readonly version: 1;
  /** When the copy of the log began: every command answered before this instant is in it. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** `sqlite`: the log and the keys; `eventstoredb`: the keys only (the log is backed up with the server). */
  readonly store: 'sqlite' | 'eventstoredb';
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
  /** The copied log's verification (with the keys and documents copied beside it), when the log is in the backup. */
  readonly log: CopiedLog | null;
  readonly keys: { readonly dataKeys: number; readonly erasures: number };
  /** The documents folder's files (each also in `files`, as `documents/…`); absent from backups made before documents. */
  readonly documents?: { readonly files: number; readonly bytes: number };
}

export const LOG_FILE = 'ledger.sqlite';
export const KEYS_FILE = 'keys.sqlite';
export const MANIFEST_FILE = 'manifest.json';
/** The documents folder inside a backup. */
export const DOCUMENTS_FOLDER = 'documents';

/**
 * `npm run backup -- <file>`: an online, consistent copy of what a restore needs, while the
 * service runs: the event log (with SQLite) and then the residents' data keys, each through
 * SQLite's backup API, verified, then the documents folder, with a manifest of every file's
 * SHA-256, in one tar file made 0600.
 *
 * The log is copied first: a data key is always on disk before any event encrypted under it
 * (docs/operations.md), so a key file copied afterwards holds every key the copied log names,
 * except those erased meanwhile, whose data must read as erased anyway; and a document is stored
 * before the event that records it is appended, so a documents folder copied afterwards holds
 * every document the copied log names. The master key is never in a backup; the verified mark,
 * the read models and the Merkle tree's file need not be (a start verifies, rebuilds and regrows).
 */
export async function backupLedger(
  config: LedgerConfig,
  target: string,
  say: (line: string) => void = () => undefined,
): Promise<BackupManifest> {
  if (existsSync(target)) throw new Error(`${target} exists already: choose a new file for each backup`);
  const work = mkdtempSync(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    const startedAt = new Date().toISOString();
    const store = config.LEDGER_STORE === 'eventstoredb' ? 'eventstoredb' : 'sqlite';
    if (config.LEDGER_STORE === 'memory') throw new Error('LEDGER_STORE=memory keeps nothing to back up');
    if (store === 'sqlite') await copySqliteFile(config.LEDGER_SQLITE_PATH, join(work, LOG_FILE));
    if (existsSync(config.keysPath)) await copySqliteFile(config.keysPath, join(work, KEYS_FILE));
    else say(`no data-key file at ${config.keysPath}: the backup holds no keys`);
    const keys = countKeys(join(work, KEYS_FILE));
    say(`keys: ${keys.dataKeys} residents' data keys, ${keys.erasures} erasures remembered`);
    const documents = copyDocuments(config.documentsPath, join(work, DOCUMENTS_FOLDER));
    if (documents.length) say(`documents: ${documents.length} files`);
    // the copies checked together, as npm run verify checks a data folder: the log, its MACs, the keys it names, its documents
    const verified = store === 'sqlite' ? await verifyCopy(copiedFilesIn(work), config) : null;
    const log = verified?.log ?? null;
    if (verified) say(`log: ${verified.log.events} events up to position ${verified.log.lastPosition}, ${describeCopy(verified)}`);
    const names = [...[LOG_FILE, KEYS_FILE].filter((name) => existsSync(join(work, name))), ...documents];
    const files = await Promise.all(
      names.map(async (name) => ({ name, bytes: statSync(join(work, name)).size, sha256: await sha256Of(join(work, name)) })),
    );
    const manifest: BackupManifest = {
      format: 'complaint-ledger-backup',
      version: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      store,
      files,
      log,
      keys,
      documents: {
        files: documents.length,
        bytes: files.filter((file) => documents.includes(file.name)).reduce((sum, file) => sum + file.bytes, 0),
      },
    };
    writeFileSync(join(work, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    const partial = join(work, 'backup.tar');
    await tar.create({ file: partial, cwd: work, portable: true, mode: 0o600 } as tar.TarOptionsWithAliasesAsyncFile, [
      MANIFEST_FILE,
      ...names,
    ]);
    syncFile(partial);
    renameSync(partial, target);
    syncFile(dirname(target));
    if (verified?.problem)
      throw new Error(`the copy in ${target} does not verify (${verified.problem}): examine the live folder with npm run verify`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The documents folder copied as it stands (each document is written once and never changed, so a
 * plain copy is consistent), less uploads still under way; the copies' names inside the backup.
 */
function copyDocuments(folder: string | undefined, into: string): string[] {
  if (!folder || !existsSync(folder)) return [];
  cpSync(folder, into, { recursive: true, filter: (path) => basename(path) !== '.incoming' });
  return (readdirSync(into, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dirname(into), join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The files of a backup's copy (or of one unpacked) in `folder`. */
export const copiedFilesIn = (folder: string): CopiedFiles => ({
  log: join(folder, LOG_FILE),
  keys: join(folder, KEYS_FILE),
  documents: join(folder, DOCUMENTS_FOLDER),
});

/** INTACT or ALTERED, and what was checked besides hashes and chains. */
export function describeCopy({ log, problem }: CopyVerdict): string {
  const checked = [
    log.signaturesChecked ? 'signatures' : null,
    log.macsChecked ? 'MACs' : null,
    log.keysChecked ? "residents' keys" : null,
    log.documentsChecked ? 'documents' : null,
  ].filter(Boolean);
  const notChecked = [
    log.signaturesChecked ? null : 'signatures (no LEDGER_SIGNING_KEY_FILE)',
    log.macsChecked ? null : 'MACs (no LEDGER_EVENT_KEY_FILE)',
    log.keysChecked ? null : "residents' keys (no master key, or no key file)",
  ].filter(Boolean);
  return `${problem ? `ALTERED: ${problem}` : 'INTACT'}; checked: hashes, chains${checked.map((what) => `, ${what}`).join('')}${
    notChecked.length ? `; NOT checked: ${notChecked.join(', ')}` : ''
  }`;
}

function countKeys(path: string): BackupManifest['keys'] {
  if (!existsSync(path)) return { dataKeys: 0, erasures: 0 };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { dataKeys: count('data_keys'), erasures: count('erasures') };
  } finally {
    db.close();
  }
}

export function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
