import { readFileSync } from 'node:fs';
import { isLocalDate, type CalendarOptions } from '@complaint-ledger/domain';

/**
 * The operator's bank-holiday file: days proclaimed (or cancelled) after this release, so a new
 * one-off holiday needs a restart, not a new version. Anything but two lists of ISO dates is refused
 * at start-up with the file's name, never half-applied.
 */
export function readBankHolidayFile(path: string | undefined): Pick<CalendarOptions, 'extraBankHolidays' | 'removedBankHolidays'> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`LEDGER_BANK_HOLIDAYS_FILE ${path} cannot be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const { add = [], remove = [], ...other } = (parsed ?? {}) as Record<string, unknown>;
  const dates = (name: string, value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((date) => typeof date === 'string' && isLocalDate(date))) {
      throw new Error(`LEDGER_BANK_HOLIDAYS_FILE ${path}: "${name}" must be a list of ISO dates (YYYY-MM-DD)`);
    }
    return value as string[];
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(other).length) {
    throw new Error(`LEDGER_BANK_HOLIDAYS_FILE ${path} must be an object with only "add" and "remove"`);
  }
  return { extraBankHolidays: dates('add', add), removedBankHolidays: dates('remove', remove) };
}
