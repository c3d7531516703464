import type { AnnualReport, Tally } from '@complaint-ledger/ledger';
import { barChart, columnChart, escapeHtml } from './charts';

const BLUE = '#1d70b8';
const ORANGE = '#f47738';
const GREEN = '#00703c';
const PURPLE = '#4c2c92';

const pounds = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const label = (text: string) => escapeHtml(text.replace(/_/g, ' '));
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
const bars = (rows: readonly Tally[]) => rows.map((r) => ({ label: r.label.replace(/_/g, ' '), value: r.count }));

/**
 * The annual complaints performance and service improvement report (Code 8.1) as one
 * self-contained page: inline CSS and SVG, no scripts, no external assets; prints to PDF from a
 * browser. Every chart has a table with the same figures.
 */
export function annualReportPage(report: AnnualReport, landlord = 'complaint-ledger'): string {
  const v = report.volumes;
  const months = v.byMonth.map((m) => new Date(`${m.month}-01T00:00:00Z`).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' }));
  const tsm = report.tsm;
  const sections = [
    `<section><h2>1. Volumes</h2>
      <p>${v.stage1} stage 1 complaints received and ${v.stage2} escalated to stage 2 between ${report.from} and ${report.to}.</p>
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
    `<section><h2>2. Outcomes</h2>
      ${barChart('chart-outcomes-1', 'Stage 1 outcomes', bars(report.outcomes.stage1), BLUE)}
      ${barChart('chart-outcomes-2', 'Stage 2 outcomes', bars(report.outcomes.stage2), ORANGE)}
      ${table(
        ['Decision', 'Stage 1', 'Stage 2'],
        report.outcomes.stage1.map((o, i) => [label(o.label), o.count, report.outcomes.stage2[i]!.count]),
        'Outcomes',
      )}</section>`,
    `<section><h2>3. Tenant Satisfaction Measures</h2>
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
    `<section><h2>4. Timeliness</h2><p>Working days from receipt (stage 1) or the escalation request (stage 2) to the acknowledgement and to the response.</p>
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
    `<section><h2>5. Complaints not accepted and escalations refused (Code 8.1(b))</h2>
      <div class="two">${table(['Ground', 'Not accepted'], tallies(report.notAccepted.byGround), `Not accepted: ${report.notAccepted.total}`)}${table(['Ground', 'Refused'], tallies(report.escalationsRefused.byGround), `Escalations refused: ${report.escalationsRefused.total}`)}</div></section>`,
    `<section><h2>6. Putting things right</h2>
      <p>${report.remedies.offered} remedies offered, ${pounds(report.remedies.financialTotalPence)} in financial remedies; ${report.remedies.completed} completed; ${report.remedies.overdue.length} overdue.</p>
      ${barChart('chart-remedies', 'Remedies offered by type', bars(report.remedies.byType.filter((r) => r.count)), GREEN)}
      ${table(
        ['Type', 'Offered', 'Amount'],
        report.remedies.byType.filter((r) => r.count).map((r) => [label(r.label), r.count, r.amountPence ? pounds(r.amountPence) : '—']),
        'Remedies by type',
      )}
      ${table(
        ['Complaint', 'Remedy', 'Due by'],
        report.remedies.overdue.slice(0, 10).map((o) => [escapeHtml(o.complaintId), escapeHtml(o.remedyId), o.dueBy]),
        report.remedies.overdue.length > 10
          ? `Remedies overdue (the first 10 of ${report.remedies.overdue.length}; all are in the JSON)`
          : 'Remedies overdue',
      )}</section>`,
    `<section><h2>7. Findings by Code provision</h2>
      ${table(
        ['Provision', 'Finding', 'Count'],
        report.findings.map((f) => [escapeHtml(f.provision), label(f.label), f.count]),
        'Where practice fell short of the Code',
      )}</section>`,
    `<section><h2>8. Recurring themes</h2>
      ${table(
        ['Quarter', 'Most frequent categories'],
        report.themes.map((q) => [q.quarter, q.top.map((t) => `${escapeHtml(t.label)} (${t.count})`).join(', ') || '—']),
        'Top categories by quarter',
      )}</section>`,
    `<section><h2>9. Self-assessment evidence: Section 6 timescales</h2>
      ${table(
        ['Provision', 'Requirement', 'In practice'],
        report.selfAssessment.map((p) => [
          escapeHtml(p.provision),
          escapeHtml(p.requirement),
          `${percent(p.percent)}, ${p.met} of ${p.total}`,
        ]),
        'Compliance measured by the ledger',
      )}</section>`,
  ];
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Annual complaints performance and service improvement report ${escapeHtml(report.reportingYear)}</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #0b0c0c; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.7rem; margin-bottom: .2rem } h2 { font-size: 1.25rem; border-bottom: 3px solid ${BLUE}; padding-bottom: .2rem; margin-top: 2rem }
  .meta { color: #505a5f } table { border-collapse: collapse; width: 100%; margin: .8rem 0 } caption { text-align: left; font-weight: 600; padding: .3rem 0 }
  th, td { border-bottom: 1px solid #d8dde0; padding: .3rem .5rem; text-align: left } td { font-variant-numeric: tabular-nums }
  .two { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem } .chart { max-width: 100%; height: auto; margin: .5rem 0 }
  .axis { font-size: 11px; fill: #0b0c0c } .grid { stroke: #e5e8ea }
  @media print { body { margin: 0; max-width: none } section { break-inside: avoid } }
</style></head>
<body><header><h1>Annual complaints performance and service improvement report</h1>
<p class="meta">${escapeHtml(landlord)} · reporting year ${escapeHtml(report.reportingYear)} (${report.from} to ${report.to}) · figures as at ${escapeHtml(report.asOf)} · Housing Ombudsman Complaint Handling Code 8.1</p></header>
<main>${sections.join('\n')}</main>
<footer><p class="meta">Generated from the complaint ledger's record of every complaint (Code 5.12). For the governing body's response, see Code 8.2.</p></footer>
</body></html>`;
}
