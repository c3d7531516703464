/**
 * An import's row whose clear-text field holds recognisable personal data is refused before it is
 * decided (the decider refuses such a command too: libs/domain personal-data-in-clear.ts), with
 * advice about the mapping: legacy exports put contact details where they do not belong, and an
 * import maps columns someone else filled in, in bulk and unseen.
 */
export const PERSONAL_DATA_IN_CLEAR = 'IMPORT.PERSONAL_DATA_IN_CLEAR';
