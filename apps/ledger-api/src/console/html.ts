import { escapeHtml } from '../reports/charts';

export { deadlineName, ukDate, ukTime, words } from '../reports/plain-words';

/** Markup that is already safe: built by `html`, never from a string a person typed. */
export interface Html {
  readonly html: string;
}

const isHtml = (value: unknown): value is Html => typeof value === 'object' && value !== null && 'html' in value;

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value.html;
  return escapeHtml(String(value));
}

/** A template whose every interpolated value is escaped, unless it is markup `html` made. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return { html: strings.reduce((out, text, i) => out + text + (i < values.length ? render(values[i]) : ''), '') };
}

/** A query string from the given parameters, leaving out the empty ones. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}

/** A table with its caption and column headers; `empty` says so when there are no rows. */
export function table(caption: string, headers: readonly string[], rows: readonly Html[], empty = 'None.'): Html {
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${headers.map((header) => html`<th scope="col">${header}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        rows.length
          ? rows
          : html`<tr>
              <td colspan="${headers.length}">${empty}</td>
            </tr>`
      }
    </tbody>
  </table>`;
}
