import type { ComplaintSummary, Page } from '@complaint-ledger/ledger';
import { COMPLAINT_STATUSES } from '@complaint-ledger/domain';
import type { Principal } from '../../auth/principal';
import { html, query, ukTime, words, table } from '../html';
import { page } from '../layout';

export interface ComplaintFilters {
  readonly status?: string;
  readonly stage?: string;
  readonly tenure?: string;
  readonly breached?: string;
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
}

function select(name: string, label: string, options: readonly [string, string][], value: string | undefined) {
  return html`<div>
    <label for="${name}">${label}</label
    ><select id="${name}" name="${name}">
      <option value="">Any</option>
      ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? html` selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

/** The complaints list with the API's filters, newest first, a page at a time. */
export function complaintsPage(
  principal: Principal,
  filters: ComplaintFilters,
  result: Page<ComplaintSummary> | { errors: string[] },
): string {
  const form = html`<form class="filters" method="get" action="/console/complaints" aria-label="Filter complaints">
    ${select(
      'status',
      'Status',
      COMPLAINT_STATUSES.map((s) => [s, words(s)]),
      filters.status,
    )}
    ${select(
      'stage',
      'Stage',
      [
        ['1', 'Stage 1'],
        ['2', 'Stage 2'],
      ],
      filters.stage,
    )}
    ${select(
      'tenure',
      'Tenure',
      [
        ['LCRA', 'LCRA (rent)'],
        ['LCHO', 'LCHO (ownership)'],
      ],
      filters.tenure,
    )}
    ${select(
      'breached',
      'Breaches',
      [
        ['true', 'With a breach'],
        ['false', 'Without'],
      ],
      filters.breached,
    )}
    <div>
      <label for="receivedFrom">Received from</label
      ><input id="receivedFrom" name="receivedFrom" type="date" value="${filters.receivedFrom ?? ''}" />
    </div>
    <div>
      <label for="receivedTo">Received to</label><input id="receivedTo" name="receivedTo" type="date" value="${filters.receivedTo ?? ''}" />
    </div>
    <div><button type="submit">Show complaints</button></div>
  </form>`;
  if ('errors' in result) {
    return page(
      'Complaints',
      html`${form}
        <div class="error" role="alert">
          <ul>
            ${result.errors.map((e) => html`<li>${e}</li>`)}
          </ul>
        </div>`,
      principal,
      '/console/complaints',
    );
  }
  const rows = result.items.map(
    (c) =>
      html`<tr>
        <td><a href="/console/complaints/${c.id}">${c.id}</a></td>
        <td>${ukTime(c.receivedAt)}</td>
        <td>${words(c.status)}</td>
        <td class="num">${c.stage}</td>
        <td>${c.tenure}</td>
        <td>${c.category}</td>
        <td class="num">${c.breaches}</td>
      </tr>`,
  );
  const next = result.nextCursor
    ? html`<a href="/console/complaints${query({ ...filters, cursor: result.nextCursor })}">Next page</a>`
    : '';
  return page(
    'Complaints',
    html`${form}
      ${table(`Complaints, newest first`, ['Complaint', 'Received', 'Status', 'Stage', 'Tenure', 'Category', 'Breaches holding'], rows, 'No complaints match.')}
      <nav class="pager" aria-label="Pages">${next}</nav>`,
    principal,
    '/console/complaints',
  );
}
