import type { AnnualReport, Tally } from '@complaint-ledger/ledger';
import { barChart, columnChart, escapeHtml } from './charts';
import { ukDate, ukTime, words } from './plain-words';

const BLUE = '#1d70b8';
const ORANGE = '#f47738';
const GREEN = '#00703c';
const PURPLE = '#4c2c92';

const pounds = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const label = (text: string) => escapeHtml(words(text));
const percent = (value: number | null) => (value === null ? '—' : `${value}%`);

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[], caption?: string): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.length
    ? rows
        .map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`)
        .join('')
    : `<tr><td colspan="${headers.length}">None in the year.</td></tr>`;
  return `<table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const tallies = (rows: readonly Tally[]) => rows.map((r) => [label(r.label), r.count]);
const bars = (rows: readonly Tally[]) => rows.map((r) => ({ label: words(r.label), value: r.count }));

export interface ReportOptions {
  readonly landlord?: string;
  /** Where a complaint the report names can be opened (the console, for those who may), or none: the printed page names it in words only. */
  readonly complaintHref?: (complaintId: string) => string | null;
  /** Inside another page (the console's): its headings a level down, no `main` of its own. */
  readonly nested?: boolean;
}

/**
 * The annual complaints performance and service improvement report (Code 8.1): its header,
 * sections and footer, in words, London dates and pounds (no slugs, ids or UTC instants), for the
 * page of its own and the console alike. Every chart has a table with the same figures.
 */
export function annualReportContent(
  report: AnnualReport,
  { landlord = 'complaint-ledger', complaintHref = () => null, nested = false }: ReportOptions = {},
): string {
  const period = `${ukDate(report.from)} to ${ukDate(report.to)}`;
  const [title, section] = nested ? ['h2', 'h3'] : ['h1', 'h2'];
  const heading = (text: string) => `<${section} class="section-title">${text}</${section}>`;
  const v = report.volumes;
  const months = v.byMonth.map((m) => new Date(`${m.month}-01T00:00:00Z`).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' }));
  const tsm = report.tsm;
  const sections = [
    `<section>${heading('1. Volumes')}
      <p>${v.stage1} stage 1 complaints received and ${v.stage2} escalated to stage 2 from ${period}.</p>
      ${columnChart('chart-months', 'Complaints by month, stage 1 and stage 2', months, [
        { name: 'Stage 1', colour: BLUE, values: v.byMonth.map((m) => m.stage1) },
        { name: 'Stage 2', colour: ORANGE, values: v.byMonth.map((m) => m.stage2) },
      ])}
      ${table(
        ['Month', 'Stage 1', 'Stage 2'],
        v.byMonth.map((m, i) => [months[i]!, m.stage1, m.stage2]),
        'Complaints by month',
      )}
      <div class="two">${table(['Category', 'Stage 1'], tallies(v.byCategory), 'By category')}${table(['Channel', 'Stage 1'], tallies(v.byChannel), 'By channel')}</div>
      ${table(
        ['Tenure', 'Stage 1', 'Stage 2'],
        v.byTenure.map((t) => [t.label, t.stage1, t.stage2]),
        'By tenure',
      )}</section>`,
    `<section>${heading('2. Outcomes')}
      ${barChart('chart-outcomes-1', 'Stage 1 outcomes', bars(report.outcomes.stage1), BLUE)}
      ${barChart('chart-outcomes-2', 'Stage 2 outcomes', bars(report.outcomes.stage2), ORANGE)}
      ${table(
        ['Decision', 'Stage 1', 'Stage 2'],
        report.outcomes.stage1.map((o, i) => [label(o.label), o.count, report.outcomes.stage2[i]!.count]),
        'Outcomes',
      )}</section>`,
    `<section>${heading('3. Tenant Satisfaction Measures')}
      ${table(
        ['Measure', 'LCRA', 'LCHO', 'All'],
        [
          [
            'CH01 stage 1 per 1,000 homes',
            tsm.byTenure.LCRA.ch01.stage1PerThousandHomes ?? '—',
            tsm.byTenure.LCHO.ch01.stage1PerThousandHomes ?? '—',
            tsm.ch01.stage1PerThousandHomes ?? '—',
          ],
          [
            'CH01 stage 2 per 1,000 homes',
            tsm.byTenure.LCRA.ch01.stage2PerThousandHomes ?? '—',
            tsm.byTenure.LCHO.ch01.stage2PerThousandHomes ?? '—',
            tsm.ch01.stage2PerThousandHomes ?? '—',
          ],
          [
            'Stage 1 complaints (count)',
            tsm.byTenure.LCRA.ch01.stage1Complaints,
            tsm.byTenure.LCHO.ch01.stage1Complaints,
            tsm.ch01.stage1Complaints,
          ],
          [
            'Stage 2 complaints (count)',
            tsm.byTenure.LCRA.ch01.stage2Complaints,
            tsm.byTenure.LCHO.ch01.stage2Complaints,
            tsm.ch01.stage2Complaints,
          ],
          [
            'CH02 stage 1 within timescale',
            percent(tsm.byTenure.LCRA.ch02.stage1.percent),
            percent(tsm.byTenure.LCHO.ch02.stage1.percent),
            `${percent(tsm.ch02.stage1.percent)} (${tsm.ch02.stage1.withinTimescale} of ${tsm.ch02.stage1.responded})`,
          ],
          [
            'CH02 stage 2 within timescale',
            percent(tsm.byTenure.LCRA.ch02.stage2.percent),
            percent(tsm.byTenure.LCHO.ch02.stage2.percent),
            `${percent(tsm.ch02.stage2.percent)} (${tsm.ch02.stage2.withinTimescale} of ${tsm.ch02.stage2.responded})`,
          ],
        ],
        "CH01 (complaints per 1,000 homes) and CH02 (responses within the Code's timescales)",
      )}</section>`,
    `<section>${heading('4. Timeliness')}<p>Working days from receipt (stage 1) or the escalation request (stage 2) to the acknowledgement and to the response.</p>
      ${report.timeliness
        .map((t, i) =>
          barChart(
            `chart-timeliness-${i + 1}`,
            `Stage ${t.stage}: working days to ${t.what} (${t.total} in the year)`,
            t.buckets.map((b) => ({ label: `${b.label} days`, value: b.count })),
            i % 2 ? GREEN : PURPLE,
          ),
        )
        .join('')}
      ${table(
        ['Stage, step', ...report.timeliness[0]!.buckets.map((_, i) => `Band ${i + 1}`)],
        report.timeliness.map((t) => [`Stage ${t.stage}, ${t.what}`, ...t.buckets.map((b) => `${b.label} days: ${b.count}`)]),
        'Working days taken',
      )}
      ${table(['Extensions', 'Count'], [['Stage 1', report.extensions.stage1], ['Stage 2', report.extensions.stage2], ...report.extensions.reasons.map((r) => [`Reason: ${label(r.label)}`, r.count])], 'Extensions used and their reasons')}</section>`,
    `<section>${heading('5. Complaints not accepted and escalations refused (Code 8.1(b))')}
      <div class="two">${table(['Ground', 'Not accepted'], tallies(report.notAccepted.byGround), `Not accepted: ${report.notAccepted.total}`)}${table(['Ground', 'Refused'], tallies(report.escalationsRefused.byGround), `Escalations refused: ${report.escalationsRefused.total}`)}</div></section>`,
    `<section>${heading('6. Putting things right')}
      <p>${report.remedies.offered} remedies offered, ${pounds(report.remedies.financialTotalPence)} in financial remedies; ${report.remedies.completed} completed; ${report.remedies.overdue.length} overdue.</p>
      ${barChart('chart-remedies', 'Remedies offered by type', bars(report.remedies.byType.filter((r) => r.count)), GREEN)}
      ${table(
        ['Type', 'Offered', 'Amount'],
        report.remedies.byType.filter((r) => r.count).map((r) => [label(r.label), r.count, r.amountPence ? pounds(r.amountPence) : '—']),
        'Remedies by type',
      )}
      ${table(
        ['Complaint', 'Remedy', 'Due by'],
        report.remedies.overdue.slice(0, 10).map((o) => {
          const complaint = `Received ${ukDate(o.receivedAt)}`;
          const href = complaintHref(o.complaintId);
          return [
            href ? `<a href="${escapeHtml(href)}">${complaint}</a>` : complaint,
            `${label(o.type)}${o.amountPence ? `, ${pounds(o.amountPence)}` : ''}`,
            ukDate(o.dueBy),
          ];
        }),
        report.remedies.overdue.length > 10
          ? `Remedies overdue (the first 10 of ${report.remedies.overdue.length}; all are in the JSON, with their complaints' ids)`
          : 'Remedies overdue',
      )}</section>`,
    `<section>${heading('7. Findings by Code provision')}
      ${table(
        ['Provision', 'Finding', 'Count'],
        report.findings.map((f) => [escapeHtml(f.provision), label(f.label), f.count]),
        'Where practice fell short of the Code',
      )}</section>`,
    `<section>${heading('8. Recurring themes')}
      ${table(
        ['Quarter', 'Most frequent categories'],
        report.themes.map((q) => [q.quarter, q.top.map((t) => `${escapeHtml(t.label)} (${t.count})`).join(', ') || '—']),
        'Top categories by quarter',
      )}</section>`,
    `<section>${heading('9. Self-assessment evidence: Section 6 timescales')}
      ${table(
        ['Provision', 'Requirement', 'In practice'],
        report.selfAssessment.map((p) => [
          escapeHtml(p.provision),
          escapeHtml(p.requirement),
          `${percent(p.percent)}, ${p.met} of ${p.total}`,
        ]),
        'Compliance measured by the ledger',
      )}
      <p>${countsNote(report)}</p></section>`,
  ];
  return `<header><${title} class="title">Annual complaints performance and service improvement report</${title}>
<p class="meta">${escapeHtml(landlord)} · reporting year ${escapeHtml(report.reportingYear)} (${period}) · figures as at ${ukTime(report.asOf)} · Housing Ombudsman Complaint Handling Code 8.1</p></header>
<${nested ? 'div' : 'main'}>${sections.join('\n')}</${nested ? 'div' : 'main'}>
<footer><p class="meta">Generated from the complaint ledger's record of every complaint (Code 5.12). For the governing body's response, see Code 8.2.</p></footer>`;
}

/**
 * Why section 9 may count a stage's responses differently from CH02 in section 3, in a sentence
 * with the figures: CH02 (the Regulator's definition) counts the responses sent in the year, the
 * Code's timescales count every response that fell due in it, the ones still unanswered at the
 * year's end included, as not met.
 */
function countsNote(report: AnnualReport): string {
  const due = (kind: string) => report.selfAssessment.find((p) => p.requirement.startsWith(kind));
  const stages = ([1, 2] as const).map((stage) => ({
    stage,
    sent: report.tsm.ch02[`stage${stage}`].responded,
    fellDue: due(`Stage ${stage} responses`)?.total ?? 0,
  }));
  const differing = stages.filter(({ sent, fellDue }) => sent !== fellDue);
  const general =
    "CH02 in section 3 counts the responses sent in the year; the Code's timescales above count the responses that fell due in it, those still unanswered at its end included (as not met).";
  return escapeHtml(
    differing.length
      ? `${general} So stage ${differing.map(({ stage, sent, fellDue }) => `${stage} has ${sent} responses sent and ${fellDue} due`).join(', and stage ')}.`
      : general,
  );
}

const CSS_RULES: readonly (readonly [selector: string, declarations: string])[] = [
  ['.title', 'font-size: 1.7rem; margin-bottom: .2rem'],
  ['.section-title', `font-size: 1.25rem; border-bottom: 3px solid ${BLUE}; padding-bottom: .2rem; margin-top: 2rem`],
  ['.meta', 'color: #505a5f'],
  ['table', 'border-collapse: collapse; width: 100%; margin: .8rem 0'],
  ['caption', 'text-align: left; font-weight: 600; padding: .3rem 0'],
  ['th, td', 'border-bottom: 1px solid #d8dde0; padding: .3rem .5rem; text-align: left'],
  ['td', 'font-variant-numeric: tabular-nums'],
  ['.two', 'display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem'],
  ['.chart', 'max-width: 100%; height: auto; margin: .5rem 0'],
  ['.axis', 'font-size: 11px; fill: #0b0c0c'],
  ['.grid', 'stroke: #e5e8ea'],
];

/** The report's look, its selectors under `scope` when it sits inside another page (the console's `.report`). */
export function reportCss(scope = ''): string {
  const scoped = (selector: string) =>
    selector
      .split(',')
      .map((part) => `${scope} ${part.trim()}`.trim())
      .join(', ');
  return [
    ...CSS_RULES.map(([selector, declarations]) => `${scoped(selector)} { ${declarations} }`),
    `@media print { ${scoped('section')} { break-inside: avoid } }`,
  ].join('\n');
}

/** The report as one self-contained page: inline CSS and SVG, no scripts, no external assets; prints to PDF from a browser. */
export function annualReportPage(report: AnnualReport, options: ReportOptions = {}): string {
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Annual complaints performance and service improvement report ${escapeHtml(report.reportingYear)}</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #0b0c0c; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  @media print { body { margin: 0; max-width: none } }
${reportCss()}
</style></head>
<body>${annualReportContent(report, options)}</body></html>`;
}
