import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ledger, loadConfig, type ImportOptions, type ImportStatus } from '../../src';

export const NOW = '2026-11-23T12:00:00.000Z';
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
export const EXAMPLES = resolve(__dirname, '../../../../docs/import');

/** A ledger on a fresh SQLite file (in a folder of its own), as the worker opens it, with a fixed clock. */
export function openLedger(folder = mkdtempSync(join(tmpdir(), 'ledger-import-')), clock = () => NOW): Ledger {
  return Ledger.open(
    loadConfig({
      LEDGER_STORE: 'sqlite',
      LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
      LEDGER_MASTER_KEY: MASTER_KEY,
      LEDGER_BREACH_SWEEP_SECONDS: '0',
    }),
    { role: 'worker', clock, loggers: () => ({ log: () => undefined, warn: () => undefined, error: () => undefined }) },
  );
}

/** Imports a file to its end: the status, and the report's rows by row number. */
export async function importFile(
  ledger: Ledger,
  path: string,
  options: Partial<ImportOptions> & { format?: 'csv' | 'jsonl' } = {},
): Promise<{ status: ImportStatus; rows: Map<number, Record<string, string>>; page: string }> {
  const run = await ledger.imports.start(
    { path, name: path.split('/').at(-1)! },
    { mapping: null, dryRun: false, actor: 'test:importer', ...options },
  );
  const status = await run.finished;
  const csv = readFileSync(ledger.imports.reportFile(run.id, 'csv')!, 'utf8');
  const page = readFileSync(ledger.imports.reportFile(run.id, 'html')!, 'utf8');
  return { status, rows: reportRows(csv), page };
}

/** The CSV report's rows (simple: the tests' messages have no line breaks). */
export function reportRows(csv: string): Map<number, Record<string, string>> {
  const [header, ...lines] = csv.trim().split('\r\n').map(splitCsvLine);
  return new Map(lines.map((cells) => [Number(cells[0]), Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? '']))]));
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (cells.push(cell), (cell = ''));
    else cell += c;
  }
  cells.push(cell);
  return cells;
}
