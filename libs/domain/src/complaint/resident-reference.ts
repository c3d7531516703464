/**
 * The one rule for a resident reference, applied wherever one comes in: when a complaint is
 * received and when a resident is erased, so every reference the ledger holds can be erased.
 * It is the landlord's own reference, so any printable characters are allowed (letters with
 * accents, spaces, `'`, `#`, `:`, `@`, `+`, `,`, brackets…), but not control or invisible format
 * characters, not leading or trailing white space (two references that differ only there would be
 * one resident to a person and two to the ledger), and at most 100 characters.
 */
export const RESIDENT_REFERENCE_MAX_LENGTH = 100;

const PRINTABLE_TRIMMED = /^[^\s\p{C}](?:[^\p{C}\p{Zl}\p{Zp}]*[^\s\p{C}])?$/u;

/**
 * The reference as the ledger keeps it: Unicode NFC, so a reference typed with a precomposed `é`
 * and one with `e` and a combining accent are one resident, at intake and at erasure alike. Case is
 * kept: the landlord's references are theirs, and `res-1001` may be another resident than
 * `RES-1001`; an erasure that matches nobody says so rather than guessing.
 */
export function normaliseResidentReference(value: string): string {
  return value.normalize('NFC');
}

/** Why `value` is not a resident reference, or null when it is one. */
export function residentReferenceProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'reference must be a string';
  if ([...value].length > RESIDENT_REFERENCE_MAX_LENGTH) return `reference must be at most ${RESIDENT_REFERENCE_MAX_LENGTH} characters`;
  if (!PRINTABLE_TRIMMED.test(value)) return 'reference must be printable characters, not blank, with no leading or trailing white space';
  return null;
}
