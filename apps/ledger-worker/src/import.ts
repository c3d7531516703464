import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { localSetup, openLedgerForImport, parseMapping, type ImportStatus, type SourceFormat } from '@complaint-ledger/ledger';
import { duration, progressLine } from './progress-bar';

const USAGE = `usage: npm run import -- <file> [--mapping <mapping.json>] [--dry-run] [--format csv|jsonl] [--concurrency <n>]

Imports a landlord's complaint history into the ledger configured by the environment (as npm run
start:worker opens it): CSV or JSON Lines, one row per fact, in the ledger's own format or through
a mapping file (docs/import.md). Every row is decided as a live command is; the report (CSV and an
HTML page) is written to the import's folder. --dry-run decides every row and records nothing.
Run it again with the same file to resume an interrupted import; a file imported whole records
nothing new. Exit status: 0 every row recorded or skipped, 2 some rows refused, 1 the import failed.`;

interface Arguments {
  readonly file: string;
  readonly mapping?: string;
  readonly dryRun: boolean;
  readonly format?: SourceFormat;
  readonly concurrency?: number;
}

function parse(args: string[]): Arguments | null {
  const rest = [...args];
  const take = (flag: string) => {
    const at = rest.indexOf(flag);
    if (at < 0) return undefined;
    const [, value] = rest.splice(at, 2);
    return value ?? '';
  };
  const mapping = take('--mapping');
  const format = take('--format');
  const concurrency = take('--concurrency');
  const dry = rest.indexOf('--dry-run');
  if (dry >= 0) rest.splice(dry, 1);
  if (rest.length !== 1 || rest[0]!.startsWith('-') || mapping === '' || (format !== undefined && format !== 'csv' && format !== 'jsonl'))
    return null;
  if (concurrency !== undefined && !/^[1-9]\d{0,3}$/.test(concurrency)) return null;
  return {
    file: rest[0]!,
    dryRun: dry >= 0,
    ...(mapping ? { mapping } : {}),
    ...(format ? { format: format as SourceFormat } : {}),
    ...(concurrency ? { concurrency: Number(concurrency) } : {}),
  };
}

/** `npm run import -- <file> …` (docs/import.md). */
async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) {
    console.error(USAGE);
    return 1;
  }
  // npm runs the script at the top of the project: a path is the caller's, from where they typed it
  const from = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const mapping = args.mapping ? parseMapping(JSON.parse(readFileSync(from(args.mapping), 'utf8'))) : null;
  const env = localSetup(process.env, (line) => console.error(line));
  const { ledger, readModelsKeptBy } = openLedgerForImport(env, () => ({
    log: () => undefined,
    warn: (m) => console.error(m),
    error: (m) => console.error(m),
  }));
  const stopped = async () => {
    console.error('\ninterrupted: what was decided stays; run the same command again to resume');
    await ledger.close();
    process.exit(1);
  };
  process.once('SIGINT', () => void stopped());
  process.once('SIGTERM', () => void stopped());
  try {
    ledger.startWriting();
    const path = from(args.file);
    const run = await ledger.imports.start(
      { path, name: basename(path) },
      {
        mapping,
        dryRun: args.dryRun,
        actor: `import:${userInfo().username}`,
        ...(args.format ? { format: args.format } : {}),
        ...(args.concurrency ? { concurrency: args.concurrency } : {}),
      },
    );
    const resumed = run.status().resumed;
    console.error(`${args.dryRun ? 'dry run of' : resumed ? 'resuming' : 'importing'} ${path} as import ${run.id}`);
    const status = await showProgress(run.finished, () => run.status());
    if (status.status === 'failed') {
      console.error(`the import failed: ${status.error}; run the same command again to resume`);
      return 1;
    }
    if (!args.dryRun) await catchUp(ledger, readModelsKeptBy);
    console.log(summary(status));
    for (const which of ['html', 'csv', 'breaches'] as const)
      console.log(`  ${which.padEnd(8)} ${ledger.imports.reportFile(run.id, which)}`);
    return status.rows.refused ? 2 : 0;
  } finally {
    await ledger.close();
  }
}

/** The progress bar on standard error: redrawn in place on a terminal, a line every five seconds otherwise. */
async function showProgress(finished: Promise<ImportStatus>, status: () => ImportStatus): Promise<ImportStatus> {
  const terminal = process.stderr.isTTY;
  const draw = () => process.stderr.write(terminal ? `\r\x1b[K${progressLine(status())}` : `${progressLine(status())}\n`);
  const timer = setInterval(draw, terminal ? 250 : 5_000);
  try {
    return await finished;
  } finally {
    clearInterval(timer);
    draw();
    if (terminal) process.stderr.write('\n');
  }
}

/** The read models, breaches and statistics, caught up once for the whole import (never row by row). */
async function catchUp(ledger: ReturnType<typeof openLedgerForImport>['ledger'], keptBy: string | null): Promise<void> {
  if (keptBy) {
    console.error(`the read models are kept by ${keptBy}, which follows the log: it catches them up and records the breaches`);
    return;
  }
  const started = Date.now();
  await ledger.readSide.start();
  await ledger.sweep();
  await ledger.readSide.runner.catchUp();
  console.error(`read models caught up and breaches recorded in ${duration((Date.now() - started) / 1000)}`);
}

function summary(status: ImportStatus): string {
  const { rows } = status;
  const seconds = (Date.parse(status.finishedAt ?? status.startedAt) - Date.parse(status.startedAt)) / 1000;
  return (
    `${status.dryRun ? 'dry run ' : ''}import ${status.id}: ${rows.total} rows — ${status.dryRun ? 'would record' : 'recorded'} ${rows.accepted}, ` +
    `refused ${rows.refused}, skipped as already recorded ${rows.skipped} (${duration(seconds)})`
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`import failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
