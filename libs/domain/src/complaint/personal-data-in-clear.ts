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
const PHONE_RUN = /(?:^|[^\w-])(\+?[\d(][\d\s().-]*\d)/g;
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
const FLOOR = /\b\d(?:st|nd|rd|th)\s+(?:floor|flr|fl|lift|block|level|storey|landing)\b/gi;
/** An identifier the ledger or a client made (a complaint's, a JWT subject's): its digits are no one's telephone number. */
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A UK number as it is written: 0, a digit a number can start with (01, 02, 03, 05, 07, 08, 09),
 * then the rest, all in one group (`07700900123`) or an area code of 3 to 5 digits and groups of 3
 * or more (`020 7946 0958`, `0161 496 0000`, `07700 900 123`); or 44 / 0044, an optional (0), an
 * area code of 2 to 5 digits and groups of 3 or more. Dates, times, amounts and counts are groups
 * of 1, 2 or 4 digits after a 2-digit start, or a long reference and a count: none reads as one.
 */
const UK_NATIONAL = /^0[1235789]/;
function ukNumberFrom(groups: readonly string[], first: number): boolean {
  let at = first;
  const lead = groups[at]!;
  if (/^(?:0044|44)/.test(lead)) {
    const rest = lead.replace(/^(?:0044|44)/, '');
    if (rest === '' && groups[at + 1] === '0') at++;
    let digits = rest;
    if (rest === '') {
      at++;
      if (!/^[1235789]\d{1,4}$/.test(groups[at] ?? '')) return false;
      digits = groups[at]!;
    } else if (!/^[1235789]/.test(rest)) return false;
    for (let next = at + 1; digits.length < 10 && next < groups.length && groups[next]!.length >= 3; next++) digits += groups[next];
    return digits.length === 10 || digits.length === 9;
  }
  if (!UK_NATIONAL.test(lead)) return false;
  if (lead.length === 11) return true;
  if (lead.length < 3 || lead.length > 5) return false;
  let digits = lead;
  for (let next = at + 1; digits.length < 11 && next < groups.length && groups[next]!.length >= 3; next++) digits += groups[next];
  return digits.length === 11;
}

/** A UK number written within a run of digit groups, wherever it starts (a date after it, or before it, does not hide it). */
function looksLikePhone(text: string): boolean {
  for (const match of text.matchAll(PHONE_RUN)) {
    const groups = match[1]!.split(/\D+/).filter(Boolean);
    for (let first = 0; first < groups.length; first++) if (ukNumberFrom(groups, first)) return true;
  }
  return false;
}

export type PersonalDataLook = 'an email address' | 'a telephone number' | 'a postcode';

/**
 * The same, of an identifier a client chose (a correlation id), read more strictly: its digits as
 * groups whatever joins them (`tel-07700-900123`, `resident_07700900123`), since an id has no
 * service-request references to mistake; a UUID in it is an identifier.
 */
export function personalDataInIdentifier(id: string): PersonalDataLook | null {
  return personalDataIn(id) ?? personalDataIn(id.replace(UUID_IN_TEXT, ' ').replace(/\D+/g, ' '));
}

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
