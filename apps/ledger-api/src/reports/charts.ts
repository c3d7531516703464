/**
 * Inline SVG charts for the annual report: no scripts, no external assets, printable. Each chart
 * carries a title and a description for screen readers, and the page shows the same figures in a
 * table beside it (the text alternative).
 */
export interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly number[];
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Vertical grouped bars: one group per label, one bar per series. */
export function columnChart(id: string, title: string, labels: readonly string[], series: readonly Series[]): string {
  const width = 720;
  const height = 260;
  const top = 20;
  const bottom = 40;
  const left = 40;
  const plotHeight = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = (width - left - 10) / labels.length;
  const barWidth = Math.max(4, (step * 0.8) / series.length);
  const scale = (value: number) => (value / max) * plotHeight;
  const ticks = niceTicks(max);
  const description = labels.map((label, i) => `${label}: ${series.map((s) => `${s.name} ${s.values[i] ?? 0}`).join(', ')}`).join('; ');
  const bars = labels
    .map((label, i) =>
      series
        .map((s, j) => {
          const value = s.values[i] ?? 0;
          const x = left + i * step + step * 0.1 + j * barWidth;
          return `<rect x="${x.toFixed(1)}" y="${(top + plotHeight - scale(value)).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${scale(value).toFixed(1)}" fill="${s.colour}"><title>${escapeHtml(`${label} ${s.name}: ${value}`)}</title></rect>`;
        })
        .join(''),
    )
    .join('');
  const axis = labels
    .map(
      (label, i) =>
        `<text x="${(left + i * step + step / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" class="axis">${escapeHtml(label)}</text>`,
    )
    .join('');
  const grid = ticks
    .map((tick) => {
      const y = (top + plotHeight - scale(tick)).toFixed(1);
      return `<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="axis">${tick}</text>`;
    })
    .join('');
  const legend = series
    .map(
      (s, j) =>
        `<rect x="${left + j * 140}" y="${height - 14}" width="10" height="10" fill="${s.colour}"/><text x="${left + j * 140 + 14}" y="${height - 5}" class="axis">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return svg(id, title, description, width, height, grid + bars + axis + (series.length > 1 ? legend : ''));
}

/** Horizontal bars: one per label (outcomes, grounds, remedy types). */
export function barChart(id: string, title: string, rows: readonly { label: string; value: number }[], colour: string): string {
  const width = 720;
  const rowHeight = 26;
  const left = 200;
  const height = Math.max(1, rows.length) * rowHeight + 10;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const description = rows.map((r) => `${r.label}: ${r.value}`).join('; ') || 'none';
  const bars = rows
    .map((row, i) => {
      const y = 5 + i * rowHeight;
      const length = ((width - left - 60) * row.value) / max;
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end" class="axis">${escapeHtml(row.label)}</text><rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"><title>${escapeHtml(`${row.label}: ${row.value}`)}</title></rect><text x="${(left + length + 6).toFixed(1)}" y="${y + 13}" class="axis">${row.value}</text>`;
    })
    .join('');
  return svg(id, title, description, width, height, bars);
}

function svg(id: string, title: string, description: string, width: number, height: number, body: string): string {
  return `<svg id="${id}" class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>${body}</svg>`;
}

function niceTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 4 / 5) * 5 || 1);
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}
