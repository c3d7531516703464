import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import type { EventStore } from '@complaint-ledger/event-store';
import { DataKeyStore, PersonalDataCipher } from '@complaint-ledger/privacy';
import type { Clock } from '../clock';
import { WritePath } from '../write/write-path';
import { DryRunStore } from './dry-run-store';
import type { DecidingDependencies } from './engine';
import { ImportLock } from './import-lock';
import { ImportRun, REPORT_FILES, type ImportOptions, type ImportStatus } from './import-run';
import { ImportJournal, isResumable } from './journal';
import { mappingHash, parseMapping, type ImportMapping } from './mapping';
import type { ProgressSnapshot } from './progress';
import { formatOfName, sha256OfFile, type SourceFormat } from './source';

export interface ImportsDependencies {
  /** The folder the imports keep their journals and reports in (LEDGER_IMPORTS_PATH). */
  readonly path: string;
  /** The largest upload taken, in bytes (LEDGER_IMPORT_MAX_MB). */
  readonly maxUploadBytes?: number;
  /** The ledger's one write path: every row is decided through it. */
  readonly write: WritePath;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly clockSkewMs: number;
  readonly compliance: { readonly rules: ComplianceRules; readonly alerts: AlertSettings };
  /** Settles once the ledger's start-up verification has run (rows are decided after it). */
  readonly verified?: () => Promise<unknown>;
}

/** Why an import was not begun: the caller's to fix (the API answers 4xx). */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'format' | 'running' | 'too-large',
  ) {
    super(message);
    this.name = 'ImportRefused';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A stored mapping's name: a file name that is no path. */
export const MAPPING_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Bulk imports of a landlord's history (docs/import.md): the one engine the CLI (`npm run import`)
 * and the API (`POST /v1/imports`) both use, each import in a folder of its own. Every row goes
 * through the ledger's one write path, as a live command does; a dry run goes through a write path
 * of its own over a store that keeps what it would append in memory (DryRunStore).
 */
export class Imports {
  private readonly running = new Map<string, ImportRun>();

  constructor(private readonly deps: ImportsDependencies) {}

  /**
   * Imports a file on disk. The same file (by SHA-256) with the same mapping, begun before and
   * interrupted, is resumed rather than begun again; the same file once imported whole is imported
   * again as a new import, which records nothing new.
   */
  async start(
    file: { readonly path: string; readonly name: string },
    options: ImportOptions & {
      readonly format?: SourceFormat;
      readonly sha256?: string;
      readonly bytes?: number;
      readonly discardAfter?: boolean;
    },
  ): Promise<ImportRun> {
    const format = options.format ?? formatOfName(file.name);
    if (!format)
      throw new ImportRefused(`say whether ${file.name} is CSV or JSON Lines (a .csv, .jsonl or .ndjson name, or the format)`, 'format');
    const { sha256, bytes } = options.sha256 ? { sha256: options.sha256, bytes: options.bytes ?? 0 } : await sha256OfFile(file.path);
    const source = { path: file.path, name: file.name, sha256, bytes, format, ...(options.discardAfter ? { discardAfter: true } : {}) };
    const fingerprint = mappingHash(options.mapping);
    const interrupted = options.dryRun ? null : this.interrupted(sha256, fingerprint);
    const id = interrupted?.id ?? randomUUID();
    const folder = join(this.deps.path, id);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const lock = interrupted?.lock ?? ImportLock.claim(folder)!;
    let journal: ImportJournal | null = null;
    try {
      journal = ImportJournal.open(folder);
      // an upload's file holds residents' data in clear: the one an interrupted run was reading goes once another is read instead
      const earlier = journal.meta('upload');
      if (earlier && earlier !== file.path) rmSync(earlier, { force: true });
      if (options.discardAfter) journal.setMeta({ upload: file.path });
      if (interrupted) journal.setMeta({ status: 'running', resumed: Number(journal.meta('resumed') ?? 0) + 1 });
      else
        journal.setMeta({
          id,
          name: file.name,
          sha256,
          bytes,
          format,
          mapping: JSON.stringify(options.mapping),
          mappingHash: fingerprint,
          actor: options.actor,
          dryRun: options.dryRun,
          startedAt: this.deps.clock(),
          status: 'running',
          resumed: 0,
        });
    } catch (error) {
      // the journal cannot be written (the disk is full): nothing began, and the file is not left claimed by this process
      journal?.close();
      lock.release();
      throw error;
    }
    const run = new ImportRun(id, folder, journal, lock, source, options, this.deciding(options.dryRun), this.deps.clock);
    this.running.set(id, run);
    void run.finished.finally(() => this.running.delete(id)).catch(() => undefined); // an ending that failed is in its status
    return run;
  }

  /** An upload, written to the imports folder as it arrives (hashed on the way, never whole in memory), then imported. */
  async receive(body: Readable, name: string, options: ImportOptions & { readonly format?: SourceFormat }): Promise<ImportRun> {
    const uploads = join(this.deps.path, 'uploads');
    mkdirSync(uploads, { recursive: true, mode: 0o700 });
    const path = join(uploads, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(path, { mode: 0o600 });
    try {
      for await (const chunk of body) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        hash.update(buffer);
        bytes += buffer.length;
        const max = this.deps.maxUploadBytes ?? Infinity;
        if (bytes > max)
          throw new ImportRefused(
            `the file is larger than ${max / 1024 / 1024} MiB (LEDGER_IMPORT_MAX_MB): nothing was imported`,
            'too-large',
          );
        if (!out.write(buffer)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      return await this.start({ path, name }, { ...options, sha256: hash.digest('hex'), bytes, discardAfter: true });
    } catch (error) {
      out.destroy();
      rmSync(path, { force: true });
      throw error;
    }
  }

  /** An import's status: live for one running here; from its journal for one another process runs, or ran. */
  status(id: string): ImportStatus | null {
    if (!UUID.test(id)) return null;
    const running = this.running.get(id);
    if (running) return running.status();
    const folder = join(this.deps.path, id);
    const journal = ImportJournal.read(folder);
    if (!journal) return null;
    try {
      const meta = journal.allMeta();
      if (!meta.id) return null;
      const progress = meta.progress ? (JSON.parse(meta.progress) as ProgressSnapshot) : null;
      const ended = meta.status === 'done' || meta.status === 'failed';
      const counts = progress?.rows ?? { total: null, staged: 0, done: 0, accepted: 0, refused: 0, skipped: 0 };
      // a run going on in another process; an interrupted one's last rate is not its rate
      const moving = !ended && ImportLock.held(folder);
      return {
        id,
        status: ended ? (meta.status as 'done' | 'failed') : moving ? 'running' : 'interrupted',
        phase: progress?.phase ?? 'staging',
        dryRun: meta.dryRun === 'true',
        source: { name: meta.name!, sha256: meta.sha256!, bytes: Number(meta.bytes ?? 0), format: meta.format as SourceFormat },
        actor: meta.actor!,
        startedAt: meta.startedAt!,
        ...(ended && meta.finishedAt ? { finishedAt: meta.finishedAt } : {}),
        rows: counts,
        rowsPerSecond: moving ? (progress?.rowsPerSecond ?? 0) : 0,
        etaSeconds: moving ? (progress?.etaSeconds ?? null) : null,
        ...(meta.error ? { error: meta.error } : {}),
        resumed: Number(meta.resumed ?? 0),
      };
    } finally {
      journal.close();
    }
  }

  /** Where an ended import's report is, or null. */
  reportFile(id: string, which: keyof typeof REPORT_FILES): string | null {
    if (!UUID.test(id)) return null;
    const path = join(this.deps.path, id, REPORT_FILES[which]);
    return existsSync(path) ? path : null;
  }

  /** Keeps a mapping under a name, for uploads to name (POST /v1/imports?mapping=name); checked first (MappingInvalid). */
  saveMapping(name: string, json: unknown): ImportMapping {
    if (!MAPPING_NAME.test(name)) throw new Error(`${name} cannot name a mapping`);
    const mapping = parseMapping(json);
    const folder = join(this.deps.path, 'mappings');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(join(folder, `${name}.json.partial`), `${JSON.stringify(mapping, null, 2)}\n`, { mode: 0o600 });
    renameSync(join(folder, `${name}.json.partial`), join(folder, `${name}.json`));
    return mapping;
  }

  /** The mapping kept under `name`, or null. */
  mappingNamed(name: string): ImportMapping | null {
    const path = join(this.deps.path, 'mappings', `${name}.json`);
    if (!MAPPING_NAME.test(name) || !existsSync(path)) return null;
    return parseMapping(JSON.parse(readFileSync(path, 'utf8')));
  }

  /** Stops the imports under way in this process (what they decided stays; running the file again resumes). */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((run) => run.stop()));
  }

  /** The interrupted import of this file with this mapping, claimed for this process; refused if one is running now. */
  private interrupted(sha256: string, fingerprint: string): { id: string; lock: ImportLock } | null {
    if (!existsSync(this.deps.path)) return null;
    for (const id of readdirSync(this.deps.path).filter((name) => UUID.test(name))) {
      const folder = join(this.deps.path, id);
      const journal = ImportJournal.read(folder);
      if (!journal) continue;
      let meta: Record<string, string>;
      try {
        meta = journal.allMeta();
      } finally {
        journal.close();
      }
      if (meta.sha256 !== sha256 || meta.mappingHash !== fingerprint || !isResumable(meta)) continue;
      const lock = ImportLock.claim(folder);
      if (!lock)
        throw new ImportRefused(`this file is being imported now (import ${id}); its progress is at GET /v1/imports/${id}`, 'running');
      return { id, lock };
    }
    return null;
  }

  private deciding(dryRun: boolean): DecidingDependencies {
    const { write, store, clock, clockSkewMs, compliance } = this.deps;
    if (!dryRun)
      return { write, read: store, rules: compliance.rules, clock, ...(this.deps.verified ? { verified: this.deps.verified } : {}) };
    // the same decider and write path over a store that appends nothing; personal data encrypted under a throwaway key
    const dry = new DryRunStore(store, clock);
    const cipher = new PersonalDataCipher(new DataKeyStore(':memory:', randomBytes(32)), clock);
    const dryWrite = new WritePath({ store: dry, clock, personalData: cipher, clockSkewMs, compliance });
    return { write: dryWrite, read: dry, rules: compliance.rules, clock, done: (stream) => dry.forget(stream) };
  }
}
