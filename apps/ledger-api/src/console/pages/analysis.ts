import type { AlertDocument, AnnualReport, Page, TsmReport } from '@complaint-ledger/ledger';
import { annualReportContent } from '../../reports/annual-report-page';
import type { Principal } from '../../auth/principal';
import { deadlineName, html, query, ukDate, ukTime, words, table } from '../html';
import { mayOpen, page } from '../layout';

const KINDS = ['acknowledgement', 'stage1Response', 'stage2Acknowledgement', 'stage2Response', 'remedy'];

/** The breaches that hold (or every one, with its retraction), newest pages by cursor. */
export function breachesPage(
  principal: Principal,
  filters: { kind?: string; includeRetracted?: string },
  result: Page<AlertDocument>,
): string {
  const complaintLinks = mayOpen(principal, ['case_handler', 'auditor']);
  const rows = result.items.map(
    (b) =>
      html`<tr>
        <td>${complaintLinks ? html`<a href="/console/complaints/${b.complaintId}">${b.complaintId}</a>` : b.complaintId}</td>
        <td>${deadlineName(b.kind)}</td>
        <td class="num">${b.stage}</td>
        <td>${ukTime(b.dueAt)}</td>
        <td>${ukTime(b.at)}</td>
        <td>${b.metAt ? ukTime(b.metAt) : 'not met'}</td>
        <td class="num">${b.workingDaysLate ?? '—'}</td>
        <td>${b.codeVersion} Code ${b.provision}</td>
        <td>${b.retracted ? `retracted ${ukTime(b.retracted.at)} (${words(b.retracted.reason)})` : 'holds'}</td>
      </tr>`,
  );
  const next = result.nextCursor ? html`<a href="/console/breaches${query({ ...filters, cursor: result.nextCursor })}">Next page</a>` : '';
  return page(
    'Breaches',
    html`<form class="filters" method="get" action="/console/breaches" aria-label="Filter breaches">
        <div>
          <label for="kind">Deadline</label
          ><select id="kind" name="kind">
            <option value="">Any</option>
            ${KINDS.map((k) => html`<option value="${k}" ${k === filters.kind ? html` selected` : ''}>${deadlineName(k)}</option>`)}
          </select>
        </div>
        <div>
          <label for="includeRetracted">Show</label
          ><select id="includeRetracted" name="includeRetracted">
            <option value="false">Breaches that hold</option>
            <option value="true" ${filters.includeRetracted === 'true' ? html` selected` : ''}>Also those retracted</option>
          </select>
        </div>
        <div><button type="submit">Show breaches</button></div>
      </form>
      ${table(`Deadlines not met on time (Code 5.12 record; decision 0017)`, ['Complaint', 'Deadline', 'Stage', 'Due by', 'Found', 'Met', 'Working days late', 'Provision', 'Now'], rows, 'No breaches.')}
      <nav class="pager" aria-label="Pages">${next}</nav>`,
    principal,
    '/console/breaches',
  );
}

const percent = (value: number | null) => (value === null ? '—' : `${value}%`);

function yearForm(action: string, year: number, years: readonly number[], label: string) {
  return html`<form class="filters" method="get" action="${action}" aria-label="Choose the reporting year">
    <div>
      <label for="year">${label}</label
      ><select id="year" name="year">
        ${years.map((y) => html`<option value="${y}" ${y === year ? html` selected` : ''}>${y}/${String(y + 1).slice(2)}</option>`)}
      </select>
    </div>
    <div><button type="submit">Show</button></div>
  </form>`;
}

/** TSM CH01 and CH02 for a reporting year, in total and per tenure. */
export function statisticsPage(principal: Principal, report: TsmReport, years: readonly number[]): string {
  const rows = [['All tenures', report] as const, ...(['LCRA', 'LCHO'] as const).map((t) => [t, report.byTenure[t]] as const)];
  return page(
    'TSM statistics',
    html`${yearForm('/console/statistics', Number(report.reportingYear.slice(0, 4)), years, 'Reporting year')}
    ${table(
      `CH01: complaints relative to the size of the landlord, ${report.reportingYear} (${ukDate(report.from)} to ${ukDate(report.to)})`,
      ['Tenure', 'Stage 1 complaints', 'Stage 2 complaints', 'Homes', 'Stage 1 per 1,000 homes', 'Stage 2 per 1,000 homes'],
      rows.map(
        ([name, f]) =>
          html`<tr>
            <th scope="row">${name}</th>
            <td class="num">${f.ch01.stage1Complaints}</td>
            <td class="num">${f.ch01.stage2Complaints}</td>
            <td class="num">${f.ch01.homes ?? '—'}</td>
            <td class="num">${f.ch01.stage1PerThousandHomes ?? '—'}</td>
            <td class="num">${f.ch01.stage2PerThousandHomes ?? '—'}</td>
          </tr>`,
      ),
    )}
    ${table(
      `CH02: complaints responded to within the Code's timescales, ${report.reportingYear}`,
      ['Tenure', 'Stage 1 responses', 'Within timescale', 'Per cent', 'Stage 2 responses', 'Within timescale', 'Per cent'],
      rows.map(
        ([name, f]) =>
          html`<tr>
            <th scope="row">${name}</th>
            <td class="num">${f.ch02.stage1.responded}</td>
            <td class="num">${f.ch02.stage1.withinTimescale}</td>
            <td class="num">${percent(f.ch02.stage1.percent)}</td>
            <td class="num">${f.ch02.stage2.responded}</td>
            <td class="num">${f.ch02.stage2.withinTimescale}</td>
            <td class="num">${percent(f.ch02.stage2.percent)}</td>
          </tr>`,
      ),
    )}`,
    principal,
    '/console/statistics',
  );
}

/**
 * The annual report inside the console, in full on the page (not in a frame of fixed height), with
 * a link to the page of its own for printing; its complaints link to their timelines for those who
 * may open them.
 */
export function reportPage(principal: Principal, report: AnnualReport, years: readonly number[], mayOpenComplaints: boolean): string {
  const src = `/console/report/page${query({ year: report.year })}`;
  return page(
    'Annual report',
    html`${yearForm('/console/report', report.year, years, 'Reporting year')}
      <p><a href="${src}">Open the report on its own page (to print or save as PDF)</a></p>
      <div class="report">
        ${{
          html: annualReportContent(report, {
            nested: true,
            complaintHref: (id) => (mayOpenComplaints ? `/console/complaints/${encodeURIComponent(id)}` : null),
          }),
        }}
      </div>`,
    principal,
    '/console/report',
  );
}
