import { DateTime } from 'luxon';
import { LONDON } from '@complaint-ledger/domain';
import { escapeHtml } from '../reports/charts';

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

/** An instant as people in the UK read it, with the zone: "3 May 2024, 10:00 BST". */
export const ukTime = (instant: string | null | undefined): string =>
  instant ? DateTime.fromISO(instant, { zone: LONDON, locale: 'en-GB' }).toFormat('d LLL yyyy, HH:mm ZZZZ') : '—';

/** A London date: "9 May 2024". */
export const ukDate = (instant: string | null | undefined): string =>
  instant ? DateTime.fromISO(instant, { zone: LONDON, locale: 'en-GB' }).toFormat('d LLL yyyy') : '—';

/** `value` with underscores as spaces and the first letter capital: `met_late` → "Met late". */
export const words = (value: string): string => {
  const spaced = value
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

/** A query string from the given parameters, leaving out the empty ones. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}

const DEADLINE_NAMES: Record<string, string> = {
  acknowledgement: 'Stage 1 acknowledgement',
  stage1Response: 'Stage 1 response',
  stage2Acknowledgement: 'Stage 2 acknowledgement',
  stage2Response: 'Stage 2 response',
  remedy: 'Remedy',
};

/** A deadline's kind in words: `stage1Response` → "Stage 1 response". */
export const deadlineName = (kind: string): string => DEADLINE_NAMES[kind] ?? words(kind);

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
