import { COMMAND_RECORDING, type PersonCommand } from './commands';
import type { ComplaintEventType } from './events';
import { PERSONAL_DATA_PATHS } from './personal-data';

/**
 * Personal data given in a field the ledger keeps in clear. Only the fields listed as personal
 * data (personal-data.ts: names, contact details, free text) are encrypted, so only those can be
 * erased; a category, a handler, an extension's reason stays readable for good and is published
 * on Kafka. So a command whose clear-text field holds what is recognisably personal data (an email
 * address, a UK telephone number, a UK postcode; a name cannot be recognised by a rule) is
 * refused, whether it came from an integration or an import's row.
 */
const EMAIL = /[^\s@<>()[\]]+@[^\s@<>()[\]]+\.[a-z]{2,}/i;
/**
 * A run of digits, spaces, dashes, dots and brackets starting a word, as a UK number is written
 * (`07700 900123`, `+44 (0)20 7946 0958`, `07700.900.123`). One joined to a reference by a dash
 * (`SR-01234567890`) is taken for the reference it more often is.
 */
const PHONE_RUN = /(?:^|[\s:;,/(.])(\+?[\d(][\d\s().-]{8,20}\d)/g;
/**
 * In either case, with any white space between its halves (`SW1A 1AA`, `sw1a 1aa`, a no-break
 * space pasted from a letter); without one (`AB12CD`) it is as often a code. Royal Mail's letters:
 * an area never begins Q, V or X nor has I, J or Z second, and the inward part never ends in C, I,
 * K, M, O or V; an inward part that is an ordinal in lower case (`B2 3rd floor`, `Tower A1 2nd
 * lift`) is a landlord's block and floor, not a postcode (`B2 3ND` is one).
 */
const POSTCODE =
  /(?:^|[^A-Za-z0-9])[A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?\d[A-Za-z\d]?\s+(?!\d(?:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?:$|[^A-Za-z0-9])/;
/** An ordinal floor, lift or block in any case (`3RD FLOOR`, as housing systems export in capitals): never part of a postcode. */
const FLOOR = /\b\d(?:st|nd|rd|th)\s+(?:floor|flr|lift|block)\b/gi;
/** An identifier the ledger or a client made (a complaint's, a JWT subject's): its digits are no one's telephone number. */
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A UK number's digits: 0 and ten more, or 44 (or 0044) and the number without its 0. */
const isUkNumber = (digits: string): boolean =>
  (digits.length === 11 && digits.startsWith('0') && !digits.startsWith('00')) ||
  ((digits.length === 12 || digits.length === 13) && digits.startsWith('44')) ||
  ((digits.length === 14 || digits.length === 15) && digits.startsWith('0044'));

/** A UK number written within a run of digit groups: any groups that follow one another (a date after it does not hide it). */
function looksLikePhone(text: string): boolean {
  for (const match of text.matchAll(PHONE_RUN)) {
    const groups = match[1]!.split(/\D+/).filter(Boolean);
    for (let first = 0; first < groups.length; first++) {
      let digits = '';
      for (let next = first; next < groups.length && digits.length < 15; next++) {
        digits += groups[next];
        if (isUkNumber(digits)) return true;
      }
    }
  }
  return false;
}

export type PersonalDataLook = 'an email address' | 'a telephone number' | 'a postcode';

/** What a clear-text value recognisably is, or null; identifiers (UUIDs) in it are passed over. */
export function personalDataIn(text: string): PersonalDataLook | null {
  const words = text.replace(UUID_IN_TEXT, ' ');
  if (EMAIL.test(words)) return 'an email address';
  if (looksLikePhone(words)) return 'a telephone number';
  if (POSTCODE.test(words.replace(FLOOR, ' '))) return 'a postcode';
  return null;
}

/** The event each command records. */
const EVENT_OF = new Map(Object.entries(COMMAND_RECORDING).map(([event, command]) => [command, event as ComplaintEventType]));

/** Whether the ledger protects the value at `path` (dotted, list indexes included) of a command's data. */
function isProtected(type: PersonCommand['type'], path: string): boolean {
  const bare = /\.\d/.test(path) ? path.replace(/\.\d+(?=\.|$)/g, '') : path;
  // a response's remedies become RemedyOffered events, protected as that event's data is
  if (type === 'RespondToComplaint' && bare.startsWith('remedies.')) return isProtectedIn('RemedyOffered', bare.slice('remedies.'.length));
  const event = EVENT_OF.get(type);
  return event === undefined || isProtectedIn(event, bare);
}

const isProtectedIn = (type: ComplaintEventType, path: string) =>
  (PERSONAL_DATA_PATHS[type] ?? []).some((protectedPath) => path === protectedPath || path.startsWith(`${protectedPath}.`));

/** The first clear-text field of a command's data holding recognisable personal data, and what it looks like. */
export function personalDataInClear(type: PersonCommand['type'], data: object): { field: string; looksLike: PersonalDataLook } | null {
  const walk = (value: unknown, path: string): { field: string; looksLike: PersonalDataLook } | null => {
    if (typeof value === 'string') {
      if (isProtected(type, path)) return null;
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
