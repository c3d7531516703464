import type { ImportStatus } from '@complaint-ledger/ledger';

const WIDTH = 24;
const number = (n: number) => n.toLocaleString('en-GB');

/** Minutes and seconds (or hours) to go. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(rest)}` : `${m}:${two(rest)}`;
}

/** The import's progress on one line: a bar, rows done of all, rows a second, the time to go, and what became of them. */
export function progressLine(status: ImportStatus): string {
  const { rows } = status;
  const outcomes = `recorded ${number(rows.accepted)} · refused ${number(rows.refused)} · skipped ${number(rows.skipped)}`;
  if (status.phase === 'staging') return `reading the file: ${number(rows.staged)} rows (${number(status.rowsPerSecond)} rows/s)`;
  const total = rows.total ?? 0;
  const share = total ? rows.done / total : 1;
  const filled = Math.round(share * WIDTH);
  const eta = status.etaSeconds === null ? '--:--' : duration(status.etaSeconds);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${number(rows.done)}/${number(total)} rows  ${number(status.rowsPerSecond)} rows/s  ETA ${eta}  ${outcomes}`;
}
