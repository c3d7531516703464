import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventStore } from '@complaint-ledger/event-store';
import { Ledger, loadConfig, type ImportOptions, type ImportStatus } from '../../src';
import { recordsOfText } from '../../src/import/source';

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

/** A ledger over the store given (a test's own, failing or counting appends), imports in a folder of their own, with a fixed clock. */
export function openLedgerOn(store: EventStore): Ledger {
  return Ledger.open(
    loadConfig({
      LEDGER_STORE: 'memory',
      LEDGER_MASTER_KEY: MASTER_KEY,
      LEDGER_IMPORTS_PATH: mkdtempSync(join(tmpdir(), 'imports-')),
      LEDGER_BREACH_SWEEP_SECONDS: '0',
    }),
    { role: 'worker', clock: () => NOW, store, loggers: () => ({ log: () => undefined, warn: () => undefined, error: () => undefined }) },
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
  return { status, rows: await reportRows(csv), page };
}

/** The CSV report's rows, read as the import reads a CSV file. */
export async function reportRows(csv: string): Promise<Map<number, Record<string, string>>> {
  const rows = new Map<number, Record<string, string>>();
  for await (const record of recordsOfText([csv], 'csv'))
    if ('values' in record) rows.set(Number(record.values.row), record.values as Record<string, string>);
  return rows;
}
