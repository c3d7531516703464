import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { decideRows, stage, type DecidingDependencies } from './engine';
import type { ImportLock } from './import-lock';
import type { ImportJournal } from './journal';
import type { ImportMapping } from './mapping';
import { ImportProgress, type ImportPhase, type ProgressSnapshot } from './progress';
import { reportPage, writeBreachesCsv, writeCsvReport } from './report';
import { RowReader } from './rows';
import { recordsOf, type SourceFormat } from './source';

/** What GET /v1/imports/{id} answers, and the CLI prints at the end. */
export interface ImportStatus {
  readonly id: string;
  /** `interrupted`: no process is working on it and it has not ended: run the same file again to resume it. */
  readonly status: 'running' | 'done' | 'failed' | 'interrupted';
  readonly phase: ImportPhase;
  readonly dryRun: boolean;
  readonly source: { readonly name: string; readonly sha256: string; readonly bytes: number; readonly format: SourceFormat };
  readonly actor: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly rows: ProgressSnapshot['rows'];
  readonly rowsPerSecond: number;
  readonly etaSeconds: number | null;
  /** Why it stopped, when it failed. */
  readonly error?: string;
  /** How many times it was resumed after an interruption. */
  readonly resumed: number;
}

/** The file an import reads, as it was found. */
export interface ImportSource {
  readonly path: string;
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: SourceFormat;
  /** Remove the file when the import ends (an upload the API spooled): it holds residents' data in clear. */
  readonly discardAfter?: boolean;
}

export interface ImportOptions {
  readonly mapping: ImportMapping | null;
  readonly dryRun: boolean;
  /** Who imports: recorded as each event's actor. */
  readonly actor: string;
  /** Complaints decided at once. */
  readonly concurrency?: number;
}

export const REPORT_FILES = { csv: 'report.csv', html: 'report.html', breaches: 'breaches.csv' } as const;
const DEFAULT_CONCURRENCY = 64;

/**
 * One import under way in this process, from its journal: the file staged (unless a run before
 * staged it whole), every row decided, the report written, the file's content cleared. Its
 * progress is kept in the journal too, every second, for a process that asks about it.
 */
export class ImportRun {
  readonly progress = new ImportProgress();
  readonly finished: Promise<ImportStatus>;
  private outcome: { status: 'done' | 'failed'; error?: string; finishedAt: string } | null = null;
  private stopping = false;
  /** What the journal says of the import (who, when, how often resumed), read once: the journal closes when it ends. */
  private readonly meta: Readonly<Record<string, string>>;

  constructor(
    readonly id: string,
    readonly folder: string,
    private readonly journal: ImportJournal,
    private readonly lock: ImportLock,
    private readonly source: ImportSource,
    private readonly options: ImportOptions,
    private readonly deciding: DecidingDependencies,
    private readonly clock: Clock,
  ) {
    this.meta = journal.allMeta();
    const counts = journal.counts();
    if (journal.meta('staged') === 'true') {
      this.progress.total = counts.rows;
      this.progress.staged = counts.rows;
      this.progress.restore(counts);
    }
    this.finished = this.run();
  }

  /** Stops deciding more complaints (the service is closing); what was decided stays, and a later run resumes. */
  stop(): Promise<unknown> {
    this.stopping = true;
    return this.finished.catch(() => undefined);
  }

  status(): ImportStatus {
    const snapshot = this.progress.snapshot();
    const { meta } = this;
    return {
      id: this.id,
      status: this.outcome?.status ?? 'running',
      phase: snapshot.phase,
      dryRun: this.options.dryRun,
      source: { name: this.source.name, sha256: this.source.sha256, bytes: this.source.bytes, format: this.source.format },
      actor: meta.actor ?? this.options.actor,
      startedAt: meta.startedAt ?? '',
      ...(this.outcome ? { finishedAt: this.outcome.finishedAt } : {}),
      rows: snapshot.rows,
      rowsPerSecond: snapshot.rowsPerSecond,
      etaSeconds: snapshot.etaSeconds,
      ...(this.outcome?.error ? { error: this.outcome.error } : {}),
      resumed: Number(meta.resumed ?? 0),
    };
  }

  private async run(): Promise<ImportStatus> {
    const { journal } = this;
    const saveProgress = setInterval(() => this.saveProgress(), 1_000);
    saveProgress.unref();
    try {
      if (journal.meta('staged') !== 'true') {
        journal.clearRows(); // a run stopped while staging left part of the file: staged again from the start
        this.progress.enter('staging');
        const reader = new RowReader(this.options.mapping);
        const rows = await stage(
          journal,
          recordsOf(this.source.path, this.source.format, this.options.mapping?.delimiter),
          reader,
          this.progress,
        );
        journal.setMeta({ staged: true, rows });
        this.progress.total = rows;
      }
      this.progress.enter('deciding');
      await decideRows(
        journal,
        this.deciding,
        {
          importId: this.id,
          sourceSha256: this.source.sha256,
          actor: this.meta.actor ?? this.options.actor,
          concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
        },
        this.progress,
        () => this.stopping,
      );
      if (this.stopping && journal.counts().pending) throw new Error('the service closed before the import ended: run it again to resume');
      this.progress.enter('reporting');
      // the reports read the journal a row at a time across awaits: nothing else may use its connection meanwhile
      clearInterval(saveProgress);
      this.saveProgress();
      await this.writeReports();
      journal.forgetContent();
      this.progress.enter('done');
      this.outcome = { status: 'done', finishedAt: this.clock() };
    } catch (error) {
      this.progress.enter('failed');
      this.outcome = { status: 'failed', error: (error as Error).message, finishedAt: this.clock() };
    } finally {
      clearInterval(saveProgress);
      try {
        journal.setMeta({
          status: this.outcome!.status,
          finishedAt: this.outcome!.finishedAt,
          ...(this.outcome!.error ? { error: this.outcome!.error } : {}),
        });
        this.saveProgress();
      } catch (error) {
        // the journal cannot be written (the disk is full): it still says running, so the next run of the file resumes
        // from it; this run ends failed, and lets go of everything it held whatever happened
        if (this.outcome?.status === 'done') this.progress.enter('failed');
        this.outcome = {
          status: 'failed',
          error: `the import's journal could not be written: ${(error as Error).message}`,
          finishedAt: this.clock(),
        };
      }
      journal.close();
      this.lock.release();
      if (this.source.discardAfter) rmSync(this.source.path, { force: true });
    }
    return this.status();
  }

  /** Progress for readers in other processes: best kept, never the reason an import fails (its verdicts are what count). */
  private saveProgress(): void {
    try {
      this.journal.setMeta({ progress: JSON.stringify(this.progress.snapshot()) });
    } catch {
      // the disk is full, or the journal closed: what is decided is in the journal already, or is decided again on resume
    }
  }

  private async writeReports(): Promise<void> {
    const { meta } = this;
    await writeCsvReport(this.journal, join(this.folder, REPORT_FILES.csv));
    await writeBreachesCsv(this.journal, join(this.folder, REPORT_FILES.breaches));
    const page = reportPage(this.journal, {
      id: this.id,
      source: this.source.name,
      sha256: this.source.sha256,
      actor: meta.actor ?? this.options.actor,
      dryRun: this.options.dryRun,
      startedAt: meta.startedAt ?? '',
      finishedAt: this.clock(),
    });
    writeFileSync(join(this.folder, REPORT_FILES.html), page, { mode: 0o600 });
  }
}
