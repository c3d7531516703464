import { COMMAND_RECORDING, PERSONAL_DATA_PATHS, type ComplaintEventType } from '@complaint-ledger/domain';
import type { ImportKind } from './command-fields';

/**
 * Personal data mapped into a field the ledger keeps in clear. The ledger encrypts only the fields
 * listed as personal data (libs/domain/src/complaint/personal-data.ts: names, contact details,
 * free text), so only those can be erased; a category, a handler's reference or a document
 * reference stays readable forever and is published on Kafka. A live integration was built against
 * the API's fields; an import maps columns someone else filled in, in bulk and unseen, and legacy
 * exports put contact details where they do not belong. So the import refuses a row whose
 * clear-text field holds what is recognisably personal data: an email address, a UK telephone
 * number, a UK postcode (a name cannot be recognised by a rule, docs/import.md says so).
 */
export const PERSONAL_DATA_IN_CLEAR = 'IMPORT.PERSONAL_DATA_IN_CLEAR';

const EMAIL = /[^\s@<>()[\]]+@[^\s@<>()[\]]+\.[a-z]{2,}/i;
/**
 * A run of digits, spaces, dashes, dots and brackets starting a word, as a UK number is written
 * (`07700 900123`, `+44 (0)20 7946 0958`, `07700.900.123`). One joined to a reference by a dash
 * (`SR-01234567890`) is taken for the reference it more often is.
 */
const PHONE_RUN = /(?:^|[\s:;,/(])(\+?[\d(][\d\s().-]{8,20}\d)/g;
/** In either case, with its space (`SW1A 1AA`, `sw1a 1aa`); without one (`AB12CD`) it is as often a code. */
const POSTCODE = /(?:^|[^A-Z0-9])[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}(?:$|[^A-Z0-9])/i;

function looksLikePhone(text: string): boolean {
  for (const match of text.matchAll(PHONE_RUN)) {
    const digits = match[1]!.replace(/\D/g, '');
    if ((digits.startsWith('0') && digits.length === 11) || (digits.startsWith('44') && (digits.length === 12 || digits.length === 13)))
      return true;
  }
  return false;
}

/** What a clear-text value recognisably is, or null. */
export function personalDataIn(text: string): 'an email address' | 'a telephone number' | 'a postcode' | null {
  if (EMAIL.test(text)) return 'an email address';
  if (looksLikePhone(text)) return 'a telephone number';
  if (POSTCODE.test(text)) return 'a postcode';
  return null;
}

/** The event each kind of row records. */
const EVENT_OF = new Map(Object.entries(COMMAND_RECORDING).map(([event, command]) => [command, event as ComplaintEventType]));

/** Whether the ledger protects the value at `path` (dotted, list indexes included) of a `kind`'s data. */
function isProtected(kind: ImportKind, path: string): boolean {
  const bare = /\.\d/.test(path) ? path.replace(/\.\d+(?=\.|$)/g, '') : path;
  // a response's remedies become RemedyOffered events, protected as that event's data is
  if (kind === 'RespondToComplaint' && bare.startsWith('remedies.')) return isProtectedIn('RemedyOffered', bare.slice('remedies.'.length));
  return isProtectedIn(EVENT_OF.get(kind)!, bare);
}

const isProtectedIn = (type: ComplaintEventType, path: string) =>
  (PERSONAL_DATA_PATHS[type] ?? []).some((protectedPath) => path === protectedPath || path.startsWith(`${protectedPath}.`));

/** The first clear-text field of the data holding recognisable personal data, and what it looks like. */
export function personalDataInClear(kind: ImportKind, data: object): { field: string; looksLike: string } | null {
  const walk = (value: unknown, path: string): { field: string; looksLike: string } | null => {
    if (typeof value === 'string') {
      if (isProtected(kind, path)) return null;
      const looksLike = personalDataIn(value);
      return looksLike ? { field: path, looksLike } : null;
    }
    if (value && typeof value === 'object')
      for (const [key, child] of Object.entries(value)) {
        const found = walk(child, path ? `${path}.${key}` : key);
        if (found) return found;
      }
    return null;
  };
  return walk(data, '');
}
