import { DateTime } from 'luxon';
import { LONDON } from '@complaint-ledger/domain';

/**
 * The ledger's values as people read them, for the console and the printed report alike: London
 * times and dates, words for slugs.
 */

/** An instant as people in the UK read it, with the zone: "3 May 2024, 10:00 BST". */
export const ukTime = (instant: string | null | undefined): string =>
  instant ? DateTime.fromISO(instant, { zone: LONDON, locale: 'en-GB' }).toFormat('d LLL yyyy, HH:mm ZZZZ') : '—';

/** A London date, from an instant or a date: "9 May 2024". */
export const ukDate = (instant: string | null | undefined): string =>
  instant ? DateTime.fromISO(instant, { zone: LONDON, locale: 'en-GB' }).toFormat('d LLL yyyy') : '—';

/** `value` with underscores and dashes as spaces and the first letter capital: `met_late` → "Met late", `remedy-overdue` → "Remedy overdue". */
export const words = (value: string): string => {
  const spaced = value
    .replace(/[_-]/g, ' ')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

const DEADLINE_NAMES: Record<string, string> = {
  acknowledgement: 'Stage 1 acknowledgement',
  stage1Response: 'Stage 1 response',
  stage2Acknowledgement: 'Stage 2 acknowledgement',
  stage2Response: 'Stage 2 response',
  remedy: 'Remedy',
};

/** A deadline's kind in words: `stage1Response` → "Stage 1 response". */
export const deadlineName = (kind: string): string => DEADLINE_NAMES[kind] ?? words(kind);
