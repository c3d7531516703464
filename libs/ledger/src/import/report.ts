import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { londonDateOf } from '@complaint-ledger/domain';
import type { ImportJournal } from './journal';

/** What the report says of the import itself. */
export interface ReportHeading {
  readonly id: string;
  readonly source: string;
  readonly sha256: string;
  readonly actor: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
}

const CSV_COLUMNS = ['row', 'complaint', 'kind', 'outcome', 'field', 'column', 'rule', 'provision', 'code_version', 'message'] as const;

/** A CSV cell: quoted when it must be, and never read by a spreadsheet as a formula (a leading =, +, -, @ is escaped). */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { mode: 0o600 });
  for (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** The report a row at a time: what became of each row, with the reason and the provision. */
export function writeCsvReport(journal: ImportJournal, path: string): Promise<void> {
  return writeLines(
    path,
    (function* () {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for (const row of journal.reportRows())
        yield `${[row.row, row.complaint, row.kind, row.outcome, row.field, row.column, row.rule, row.provision, row.codeVersion, row.message].map(csvCell).join(',')}\r\n`;
    })(),
  );
}

/** The deadlines the history shows breached, every one (the page shows the first). */
export function writeBreachesCsv(journal: ImportJournal, path: string): Promise<void> {
  return writeLines(
    path,
    (function* () {
      yield 'complaint,complaint_id,deadline,stage,due,status,working_days_late,provision,code_version\r\n';
      for (const b of journal.breachRows())
        yield `${[b.complaint, b.complaintId, b.kind, b.stage, londonDateOf(b.dueAt), b.status, b.workingDaysLate, b.provision, b.codeVersion].map(csvCell).join(',')}\r\n`;
    })(),
  );
}

const escapeHtml = (value: string | number) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const count = (n: number) => n.toLocaleString('en-GB');

const DEADLINES: Record<string, string> = {
  acknowledgement: 'Stage 1 acknowledgement',
  stage1Response: 'Stage 1 response',
  stage2Acknowledgement: 'Stage 2 acknowledgement',
  stage2Response: 'Stage 2 response',
  remedy: 'Remedy',
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;color:#0b0c0c;margin:0;background:#fff}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:2rem;margin:0 0 .5rem}h2{font-size:1.4rem;margin:2rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.9em;word-break:break-all}.note{background:#f3f2f1;padding:.75rem 1rem;border-left:5px solid #1d70b8}
.late{color:#942514;font-weight:600}`;

const SHOWN = 1_000;

/**
 * The report as a page a landlord reads: the counts, the refusals grouped by the rule they broke
 * (with the Code provision where a refusal rests on one, and the first rows to look at), what was
 * skipped as already recorded, and the complaints whose history shows a deadline breached. One
 * self-contained file: no script, no outside asset.
 */
export function reportPage(journal: ImportJournal, heading: ReportHeading): string {
  const counts = journal.counts();
  const refusals = journal.refusalsByRule();
  const skipped = journal.skippedBySource();
  const breaches = journal.breaches(SHOWN);
  const table = (caption: string, headers: readonly { text: string; numeric?: boolean }[], rows: readonly (readonly string[])[]) =>
    `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${headers
      .map((h) => `<th scope="col"${h.numeric ? ' class="n"' : ''}>${escapeHtml(h.text)}</th>`)
      .join('')}</tr></thead><tbody>${rows
      .map(
        (cells) =>
          `<tr>${cells.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td${headers[i]!.numeric ? ' class="n"' : ''}>${cell}</td>`)).join('')}</tr>`,
      )
      .join('')}</tbody></table>`;
  const sections = [
    `<h1>Import report</h1>
<p>The file <code>${escapeHtml(heading.source)}</code> (SHA-256 <code>${escapeHtml(heading.sha256)}</code>), import <code>${escapeHtml(heading.id)}</code>, by ${escapeHtml(heading.actor)}; begun ${escapeHtml(heading.startedAt)}, ended ${escapeHtml(heading.finishedAt)}.</p>
${heading.dryRun ? '<p class="note"><strong>Dry run:</strong> every row was decided as a real import would decide it, and nothing was recorded.</p>' : ''}`,
    `<h2 id="counts">Rows</h2>
${table(
  'What became of each row',
  [{ text: 'Outcome' }, { text: 'Rows', numeric: true }],
  [
    [heading.dryRun ? 'Would be recorded' : 'Recorded', count(counts.accepted)],
    ['Refused', count(counts.refused)],
    ['Skipped: already recorded', count(counts.skipped)],
    ...(counts.pending ? [['Not decided (the import stopped)', count(counts.pending)]] : []),
    ['All rows', count(counts.rows)],
  ],
)}`,
    `<h2 id="refusals">Refusals by rule</h2>
${
  refusals.length
    ? table(
        'Rows refused, by the rule they broke (every row is in the CSV report)',
        [{ text: 'Rule' }, { text: 'Rows', numeric: true }, { text: 'Code provision' }, { text: 'First rows' }, { text: 'For example' }],
        refusals.map((group) => [
          `<code>${escapeHtml(group.rule)}</code>`,
          count(group.count),
          group.provision ? escapeHtml(group.provision) : '—',
          group.rows.join(', '),
          escapeHtml(group.message),
        ]),
      )
    : '<p>No row was refused.</p>'
}`,
    `<h2 id="skipped">Skipped as already recorded</h2>
${
  skipped.length
    ? table(
        'Rows whose fact the ledger already holds',
        [{ text: 'Recorded before' }, { text: 'Rows', numeric: true }],
        skipped.map((group) => [escapeHtml(group.message), count(group.count)]),
      )
    : '<p>No row was already recorded.</p>'
}`,
    `<h2 id="breaches">Deadlines the history shows breached</h2>
<p>${count(breaches.total)} deadlines in ${count(breaches.complaints)} complaints were missed, or met after they were due, as judged now under each complaint's Code version.${
      breaches.total > breaches.shown.length ? ` The first ${count(breaches.shown.length)} are below; every one is in breaches.csv.` : ''
    }</p>
${
  breaches.shown.length
    ? table(
        'Breached deadlines by complaint',
        [
          { text: 'Complaint' },
          { text: 'Deadline' },
          { text: 'Due (London date)' },
          { text: 'Status' },
          { text: 'Working days late', numeric: true },
          { text: 'Provision' },
        ],
        breaches.shown.map((b) => [
          escapeHtml(b.complaint),
          escapeHtml(`${DEADLINES[b.kind] ?? b.kind}${b.kind === 'remedy' ? ` (stage ${b.stage})` : ''}`),
          escapeHtml(londonDateOf(b.dueAt)),
          b.status === 'breached' ? '<span class="late">Not met</span>' : 'Met late',
          count(b.workingDaysLate),
          escapeHtml(`${b.provision} (${b.codeVersion} Code)`),
        ]),
      )
    : ''
}`,
  ];
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Import report: ${escapeHtml(heading.source)}</title><style>${STYLE}</style></head>
<body><main>
${sections.join('\n')}
</main></body></html>
`;
}
