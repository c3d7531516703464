import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { boundPageCache, preparePrivateFile } from '@complaint-ledger/event-store';
import type { PersonCommand } from '@complaint-ledger/domain';
import type { Fact, Reason, RefusedRow } from './rows';

/** What became of a row: recorded, refused (with the reason), or skipped as already recorded. */
export type Outcome = 'accepted' | 'refused' | 'skipped';

export interface Verdict {
  readonly row: number;
  readonly outcome: Outcome;
  readonly reason?: Reason;
}

/** A deadline the imported history shows breached: missed, or met after it was due. */
export interface BreachFound {
  readonly complaint: string;
  readonly complaintId: string;
  readonly kind: string;
  readonly stage: number;
  readonly dueAt: string;
  readonly status: 'breached' | 'met_late';
  readonly workingDaysLate: number;
  readonly provision: string;
  readonly codeVersion: string;
}

/** A row waiting for its turn, as staged. */
export interface PendingRow {
  readonly row: number;
  readonly complaint: string;
  readonly kind: string;
  readonly command: PersonCommand;
  readonly newIds: readonly string[];
  readonly key: string;
  /** The size of the fact as staged (its JSON's length): a bound on what a complaint's rows append at once. */
  readonly size: number;
}

/** One row of the report, as the journal keeps it. */
export interface ReportRow {
  readonly row: number;
  readonly complaint: string | null;
  readonly kind: string | null;
  readonly outcome: Outcome | null;
  readonly field: string | null;
  readonly column: string | null;
  readonly rule: string | null;
  readonly provision: string | null;
  readonly codeVersion: string | null;
  readonly message: string | null;
}

export const JOURNAL_FILE = 'journal.sqlite';

/**
 * An import's own record of its work, in its folder (`<imports>/<id>/journal.sqlite`): what it is
 * (the file's SHA-256, the mapping, who, when), every row as staged from the file, and each row's
 * verdict once decided. The rows are decided from here in each complaint's order, so the whole
 * file is never in memory; a run interrupted (even by kill -9) is resumed from here: rows with a
 * verdict are done, the rest are decided (and a fact the interrupted run recorded is recognised
 * by its retry key). A complaint's verdicts and breaches are written together, once it is done.
 *
 * The staged rows hold the file's personal data in clear until the import ends; then they are
 * cleared (secure_delete, the WAL truncated) and only the verdicts stay.
 */
/**
 * Whether a run of its file would resume the import whose journal says `meta`, rather than start
 * afresh: it did not end `done` and was not a dry run (one that ended `failed`, stopped by a closing
 * service or a full disk, is resumed). Such a journal counts rows as decided into the log it was run
 * against.
 */
export const isResumable = (meta: Readonly<Record<string, string>>): boolean => meta.status !== 'done' && meta.dryRun !== 'true';

export class ImportJournal {
  private readonly db: Database.Database;
  private readonly statements;

  private constructor(
    readonly folder: string,
    readonly: boolean,
  ) {
    const path = join(folder, JOURNAL_FILE);
    if (!readonly) preparePrivateFile(path);
    this.db = new Database(path, { readonly, fileMustExist: readonly, timeout: 5_000 });
    boundPageCache(this.db);
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      // a verdict lost with the machine is decided again, and the ledger recognises a fact it holds: NORMAL is enough
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('secure_delete = ON');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS rows (
          row INTEGER PRIMARY KEY, complaint TEXT, kind TEXT,
          complaint_id TEXT, receipt INTEGER, at TEXT, fact TEXT,
          outcome TEXT, field TEXT, column_name TEXT, rule TEXT, message TEXT, provision TEXT, code_version TEXT);
        CREATE INDEX IF NOT EXISTS rows_to_decide ON rows (complaint_id, receipt, at, row) WHERE outcome IS NULL;
        CREATE TABLE IF NOT EXISTS breaches (
          complaint TEXT NOT NULL, complaint_id TEXT NOT NULL, kind TEXT NOT NULL, stage INTEGER NOT NULL, due_at TEXT NOT NULL,
          status TEXT NOT NULL, working_days_late INTEGER NOT NULL, provision TEXT NOT NULL, code_version TEXT NOT NULL);`);
    }
    this.statements = readonly
      ? null
      : {
          stage: this.db.prepare(
            'INSERT OR REPLACE INTO rows (row, complaint, kind, complaint_id, receipt, at, fact, outcome, field, column_name, rule, message) VALUES (@row, @complaint, @kind, @complaintId, @receipt, @at, @fact, @outcome, @field, @column, @rule, @message)',
          ),
          verdict: this.db.prepare(
            'UPDATE rows SET outcome = @outcome, field = @field, column_name = @column, rule = @rule, message = @message, provision = @provision, code_version = @codeVersion WHERE row = @row',
          ),
          breach: this.db.prepare(
            'INSERT INTO breaches VALUES (@complaint, @complaintId, @kind, @stage, @dueAt, @status, @workingDaysLate, @provision, @codeVersion)',
          ),
          pendingOf: this.db.prepare<[string], { row: number; complaint: string; kind: string; fact: string }>(
            'SELECT row, complaint, kind, fact FROM rows WHERE complaint_id = ? AND outcome IS NULL ORDER BY receipt, at, row',
          ),
        };
  }

  /** A new journal, or the one an interrupted run left (to resume). */
  static open(folder: string): ImportJournal {
    return new ImportJournal(folder, false);
  }

  /**
   * Someone else's journal, read only (another process's import, for its progress); null when
   * there is none yet, or it has no tables yet: a journal another process is making this moment, or
   * one whose process was killed (or ran out of disk) before it made them. Such a folder is no
   * import to resume or report on, and must not stop any other.
   */
  static read(folder: string): ImportJournal | null {
    if (!existsSync(join(folder, JOURNAL_FILE))) return null;
    let journal: ImportJournal;
    try {
      journal = new ImportJournal(folder, true);
    } catch {
      return null; // not a database SQLite can open (cut short as it was made)
    }
    if (journal.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get()) return journal;
    journal.close();
    return null;
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
  }

  allMeta(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map(({ key, value }) => [key, value]));
  }

  setMeta(values: Record<string, string | number | boolean>): void {
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(values)) set.run(key, String(value));
    })();
  }

  /** Staging starts over: a run interrupted while staging left part of the file. */
  clearRows(): void {
    this.db.exec('DELETE FROM rows; DELETE FROM breaches;');
  }

  /** Rows as read from the file: facts to decide, or refused already. */
  stage(rows: readonly (Fact | RefusedRow)[]): void {
    const stage = this.statements!.stage;
    this.db.transaction(() => {
      for (const row of rows) {
        if ('refused' in row) {
          const { field, column, rule, message } = row.refused;
          stage.run({
            row: row.row,
            complaint: row.complaint ?? null,
            kind: row.kind ?? null,
            complaintId: null,
            receipt: null,
            at: null,
            fact: null,
            outcome: 'refused',
            field: field ?? null,
            column: column ?? null,
            rule,
            message,
          });
        } else {
          stage.run({
            row: row.row,
            complaint: row.complaint,
            kind: row.kind,
            complaintId: row.complaintId,
            receipt: row.kind === 'ReceiveComplaint' ? 0 : 1,
            at: row.at,
            fact: JSON.stringify({ command: row.command, newIds: row.newIds, key: row.key }),
            outcome: null,
            field: null,
            column: null,
            rule: null,
            message: null,
          });
        }
      }
    })();
  }

  /** The complaints with rows still to decide, in the order the file first names them. */
  complaintsToDecide(): string[] {
    return this.db
      .prepare('SELECT complaint_id FROM rows WHERE outcome IS NULL GROUP BY complaint_id ORDER BY MIN(row)')
      .pluck()
      .all() as string[];
  }

  /** A complaint's rows still to decide, in its order: its receipt first, then by business time, then as the file has them. */
  rowsToDecide(complaintId: string): PendingRow[] {
    return this.statements!.pendingOf.all(complaintId).map(({ row, complaint, kind, fact }) => {
      const { command, newIds, key } = JSON.parse(fact) as { command: PersonCommand; newIds: string[]; key: string };
      return { row, complaint, kind, command, newIds, key, size: fact.length };
    });
  }

  /** Complaints' verdicts and the breaches their histories show, each complaint whole, in one transaction. */
  record(verdicts: readonly Verdict[], breaches: readonly BreachFound[]): void {
    const { verdict, breach } = this.statements!;
    this.db.transaction(() => {
      for (const { row, outcome, reason } of verdicts)
        verdict.run({
          row,
          outcome,
          field: reason?.field ?? null,
          column: reason?.column ?? null,
          rule: reason?.rule ?? null,
          message: reason?.message ?? null,
          provision: reason?.provision ?? null,
          codeVersion: reason?.codeVersion ?? null,
        });
      for (const found of breaches) breach.run(found);
    })();
  }

  counts(): { rows: number; accepted: number; refused: number; skipped: number; pending: number } {
    const found = this.db.prepare('SELECT outcome, COUNT(*) AS n FROM rows GROUP BY outcome').all() as {
      outcome: Outcome | null;
      n: number;
    }[];
    const of = (outcome: Outcome | null) => found.find((entry) => entry.outcome === outcome)?.n ?? 0;
    const rows = found.reduce((sum, entry) => sum + entry.n, 0);
    return { rows, accepted: of('accepted'), refused: of('refused'), skipped: of('skipped'), pending: of(null) };
  }

  /** Every row in file order, for the CSV report (read a row at a time). */
  *reportRows(): Generator<ReportRow> {
    yield* this.db
      .prepare(
        'SELECT row, complaint, kind, outcome, field, column_name AS "column", rule, provision, code_version AS codeVersion, message FROM rows ORDER BY row',
      )
      .iterate() as IterableIterator<ReportRow>;
  }

  /** Refusals by rule: how many, the provision, the first rows and a message. */
  refusalsByRule(examples = 5): { rule: string; provision: string | null; count: number; rows: number[]; message: string }[] {
    const groups = this.db
      .prepare(
        `SELECT rule, COUNT(*) AS count, MIN(message) AS message,
                (SELECT GROUP_CONCAT(DISTINCT r.provision || ' (' || r.code_version || ' Code)') FROM rows r WHERE r.outcome = 'refused' AND r.rule = rows.rule AND r.provision IS NOT NULL) AS provision
           FROM rows WHERE outcome = 'refused' GROUP BY rule ORDER BY count DESC, rule`,
      )
      .all() as { rule: string; count: number; message: string; provision: string | null }[];
    const first = this.db.prepare("SELECT row FROM rows WHERE outcome = 'refused' AND rule = ? ORDER BY row LIMIT ?").pluck();
    return groups.map((group) => ({ ...group, rows: first.all(group.rule, examples) as number[] }));
  }

  /** Skipped rows by where their fact was recorded first: an import (named), or an earlier row of this file. */
  skippedBySource(): { message: string; count: number }[] {
    return this.db
      .prepare(
        `SELECT CASE WHEN message LIKE 'the same fact as row %' THEN 'an earlier row of this file'
                     WHEN instr(message, ' (row ') > 0 THEN substr(message, 1, instr(message, ' (row ') - 1)
                     ELSE message END AS message, COUNT(*) AS count
           FROM rows WHERE outcome = 'skipped' GROUP BY 1 ORDER BY count DESC LIMIT 20`,
      )
      .all() as { message: string; count: number }[];
  }

  breaches(limit: number): { total: number; complaints: number; shown: BreachFound[] } {
    const total = this.db.prepare('SELECT COUNT(*) FROM breaches').pluck().get() as number;
    const complaints = this.db.prepare('SELECT COUNT(DISTINCT complaint_id) FROM breaches').pluck().get() as number;
    const shown = this.db
      .prepare(
        'SELECT complaint, complaint_id AS complaintId, kind, stage, due_at AS dueAt, status, working_days_late AS workingDaysLate, provision, code_version AS codeVersion FROM breaches ORDER BY complaint, due_at LIMIT ?',
      )
      .all(limit) as BreachFound[];
    return { total, complaints, shown };
  }

  /** Every breach found, a row at a time. */
  *breachRows(): Generator<BreachFound> {
    yield* this.db
      .prepare(
        'SELECT complaint, complaint_id AS complaintId, kind, stage, due_at AS dueAt, status, working_days_late AS workingDaysLate, provision, code_version AS codeVersion FROM breaches ORDER BY complaint, due_at',
      )
      .iterate() as IterableIterator<BreachFound>;
  }

  /** The file's content is no longer needed once every row has its verdict: cleared from the journal and its WAL. */
  forgetContent(): void {
    this.db.exec('UPDATE rows SET fact = NULL WHERE fact IS NOT NULL');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
