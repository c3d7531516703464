import { createHash } from 'node:crypto';
import { parseInstant, personalDataInClear, residentReferenceProblem, type PersonCommand } from '@complaint-ledger/domain';
import { canonicalJson, uuidFrom } from '@complaint-ledger/event-store';
import { IMPORT_KEY_PREFIX } from '../write/write-path';
import { isRefusedFieldName, refusedFieldIn } from '../write/field-rules';
import {
  COMMAND_FIELDS,
  fieldAt,
  fieldErrorsIn,
  IMPORT_KINDS,
  TIME_FIELD,
  type Field,
  type Fields,
  type ImportKind,
} from './command-fields';
import { isoFrom, REMEDY_REFERENCE, targetsKind, type ImportMapping } from './mapping';
import { PERSONAL_DATA_IN_CLEAR } from './personal-data-in-clear';

/**
 * One row of an import file made into the command it records (docs/import.md, "The format"), or
 * refused before the decider sees it: the mapping applied, every field checked by the API's rules
 * (command-fields.ts), nothing personal in a field kept in clear. What the complaint's state
 * allows is the decider's to say, when the row's turn comes (engine.ts).
 */
export interface Fact {
  readonly row: number;
  readonly complaint: string;
  readonly complaintId: string;
  readonly kind: ImportKind;
  /** The business instant, UTC: a complaint's facts are decided in this order (its receipt first). */
  readonly at: string;
  readonly command: PersonCommand;
  /** The ids of the remedies it offers, from the landlord's references. */
  readonly newIds: readonly string[];
  /** What the fact is, as a retry key: the same fact in any file, any run, is recorded once. */
  readonly key: string;
}

/** Why a row was refused (or skipped): the field, the rule broken, and the Code provision a refusal rests on. */
export interface Reason {
  readonly field?: string;
  /** Where the field came from in the landlord's file, when a mapping renamed it. */
  readonly column?: string;
  readonly rule: string;
  readonly message: string;
  readonly provision?: string;
  readonly codeVersion?: string;
}

export interface RefusedRow {
  readonly row: number;
  readonly complaint?: string;
  readonly kind?: string;
  readonly refused: Reason;
}

export const UNKNOWN_KIND = 'IMPORT.UNKNOWN_KIND';
export const NO_COMPLAINT = 'IMPORT.COMPLAINT_REFERENCE';
export const MALFORMED_ROW = 'IMPORT.MALFORMED_ROW';
const REMEDY_REFERENCE_RULE = 'IMPORT.REMEDY_REFERENCE';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ledger's id for a complaint the landlord calls `reference`: the reference itself when it is a UUID, else derived from it. */
export const complaintIdOf = (reference: string): string =>
  UUID.test(reference) ? reference.toLowerCase() : uuidFrom(`imported-complaint|${reference}`);

/** The ledger's id for the complaint's remedy the landlord calls `reference`: a later row, or file, completes it by the same. */
export const remedyIdOf = (complaintId: string, reference: string): string => uuidFrom(`imported-remedy|${complaintId}|${reference}`);

/** A row as read: a CSV row's cells by column (text), or a JSON line's object (typed). */
export interface SourceRecord {
  readonly row: number;
  readonly values: Readonly<Record<string, unknown>>;
  /** True for CSV, whose cells are all text: numbers, flags and lists are read from it. */
  readonly text: boolean;
}

/** The mapping made ready for rows: which column goes where for each kind. */
export class RowReader {
  /** The column that names each row's kind. */
  private readonly kindColumn: string | undefined;
  /** How many of each offer without a reference (unreferencedOffer) the file has had so far. */
  private readonly unreferencedOffers = new Map<string, number>();

  constructor(private readonly mapping: ImportMapping | null) {
    this.kindColumn = mapping ? Object.entries(mapping.columns ?? {}).find(([, target]) => target === 'kind')?.[0] : 'kind';
  }

  read(record: SourceRecord): Fact | RefusedRow {
    const { row } = record;
    const columns = this.columnsOf(record);
    const complaintValue = columns.get('complaint');
    const complaint = typeof complaintValue?.value === 'string' ? complaintValue.value.trim() : undefined;
    const kindValue = columns.get('kind');
    const kindText = kindValue === undefined ? undefined : String(this.coded('kind', kindValue.value));
    const refuse = (reason: Reason): RefusedRow => ({
      row,
      ...(complaint ? { complaint } : {}),
      ...(kindText ? { kind: kindText } : {}),
      refused: reason,
    });
    if (!complaint || residentReferenceProblem(complaint))
      return refuse({
        field: 'complaint',
        ...(complaintValue?.column && complaintValue.column !== 'complaint' ? { column: complaintValue.column } : {}),
        rule: NO_COMPLAINT,
        message: complaint ? `the complaint ${residentReferenceProblem(complaint)}` : 'the row names no complaint',
      });
    if (!kindText || !IMPORT_KINDS.includes(kindText as ImportKind))
      // what the row gave is not repeated: the report outlives the file, and a misplaced column may hold anything
      return {
        row,
        ...(complaint ? { complaint } : {}),
        refused: {
          field: 'kind',
          ...(kindValue?.column && kindValue.column !== 'kind' ? { column: kindValue.column } : {}),
          rule: UNKNOWN_KIND,
          message: kindText
            ? `the row's kind is not a kind of fact the ledger records (${IMPORT_KINDS.join(', ')})`
            : 'the row names no kind of fact',
        },
      };
    const kind = kindText as ImportKind;
    // a column such as `__proto__.x` would otherwise write onto every object of the process running the import
    const unsafe = [...columns].find(([path]) => path.split('.').some(isRefusedFieldName));
    if (unsafe)
      return refuse({
        field: unsafe[0],
        ...(unsafe[1].column !== unsafe[0] ? { column: unsafe[1].column } : {}),
        rule: 'whitelistValidation',
        message: `property ${unsafe[0]} should not exist`,
      });
    const data: Record<string, unknown> = {};
    const sources = new Map<string, string>();
    for (const [path, { value, column }] of columns) {
      if (path === 'complaint' || path === 'kind') continue;
      const target = path === 'at' ? TIME_FIELD[kind] : path;
      if (path === 'at' && columns.has(target)) continue; // the row names the field itself
      if (this.mapping && !targetsKind(kind, target)) continue; // a shared column this kind has no use for
      setPath(data, target, this.valueFor(kind, target, value, record.text));
      sources.set(target, column);
    }
    for (const [path, value] of Object.entries(this.mapping?.constants?.[kind] ?? {}))
      if (getPath(data, path) === undefined) setPath(data, path, value);
    const columnOf = (field: string) => {
      // the error's field, or the nearest column above it (`resident` for `resident.reference` given as one object)
      const segments = field.replace(/\[(\d+)\]/g, '.$1').split('.');
      for (let length = segments.length; length > 0; length--) {
        const path = segments.slice(0, length).join('.');
        const column = sources.get(path);
        if (column) return column === path ? {} : { column };
      }
      return {};
    };

    // the ledger's own ciphertext, as anywhere commands are given (field-rules.ts: refusedFieldIn)
    const sealed = refusedFieldIn(data);
    if (sealed) return refuse({ ...sealed, ...columnOf(sealed.field) });
    const references = remedyReferences(kind, data);
    if ('refused' in references) return refuse({ ...references.refused, ...columnOf(references.refused.field!) });
    const errors = fieldErrorsIn(kind, data);
    if (errors.length)
      return refuse({
        field: errors[0]!.field,
        ...columnOf(errors[0]!.field),
        rule: errors[0]!.rule,
        message: errors.map((error) => error.message).join('; '),
      });
    const exposed = personalDataInClear(kind, data);
    if (exposed)
      return refuse({
        field: exposed.field,
        ...columnOf(exposed.field),
        rule: PERSONAL_DATA_IN_CLEAR,
        message: `${exposed.field} looks like it holds ${exposed.looksLike}; the ledger keeps ${exposed.field} in clear (never encrypted, never erased, published), so it must not carry personal data: map that column to a field the ledger protects, or leave it out`,
      });

    const complaintId = complaintIdOf(complaint);
    if (kind === 'ReceiveComplaint') data.complaintId = complaintId;
    if (kind === 'CompleteRemedy') data.remedyId = remedyIdOf(complaintId, references.completes!);
    const inUtc = instantsInUtc(kind, data);
    const offered = kind === 'OfferRemedy' ? [inUtc] : ((inUtc.remedies as unknown[] | undefined) ?? []);
    const newIds = references.offers.map((reference, index) =>
      remedyIdOf(complaintId, reference ?? this.unreferencedOffer(complaintId, inUtc[TIME_FIELD[kind]], offered[index])),
    );
    const command = { type: kind, data } as PersonCommand;
    const time = data[TIME_FIELD[kind]] as string;
    const at = parseInstant(time)?.toISO() ?? time;
    const key = `${IMPORT_KEY_PREFIX}${sha256(canonicalJson({ complaintId, type: kind, data: inUtc, newIds }))}`;
    return { row, complaint, complaintId, kind, at, command, newIds, key };
  }

  /**
   * What names a remedy offered without the landlord's reference: the offer itself (its complaint,
   * when, what), and which of the file's identical offers it is. Named by its row, as it was, a
   * later export that repeats the history with a row between (or the same file as JSON Lines,
   * numbered from 1) offered it again as a new remedy.
   */
  private unreferencedOffer(complaintId: string, at: unknown, remedy: unknown): string {
    const offer = sha256(canonicalJson({ complaintId, at, remedy }));
    const earlier = this.unreferencedOffers.get(offer) ?? 0;
    this.unreferencedOffers.set(offer, earlier + 1);
    return `offered ${offer}, the same offer's ${earlier + 1}`;
  }

  /** Each of the row's values by the field it goes to (`at`, `complaint`, `kind` included), with the column it came from. */
  private columnsOf(record: SourceRecord): Map<string, { value: unknown; column: string }> {
    const found = new Map<string, { value: unknown; column: string }>();
    const kind = this.kindColumn === undefined ? undefined : this.coded('kind', record.values[this.kindColumn]);
    for (const [column, value] of Object.entries(record.values)) {
      if (value === undefined || value === null || (record.text && value === '')) continue; // an empty cell: not given
      const target = this.mapping ? this.mapping.columns?.[column] : column;
      const path = typeof target === 'string' ? target : target?.[kind as ImportKind];
      if (path) found.set(path, { value, column });
    }
    return found;
  }

  private coded(name: string, value: unknown): unknown {
    const list = this.mapping?.codes?.[name];
    if (!list || typeof value !== 'string') return value;
    return Object.prototype.hasOwnProperty.call(list, value) ? list[value] : value;
  }

  /** A value as the field takes it: their code made the ledger's, their date ISO, and from CSV text a number, flag or list. */
  private valueFor(kind: ImportKind, path: string, raw: unknown, text: boolean): unknown {
    const field = fieldAt(kind, path);
    const value = this.coded(path.split('.').at(-1)!, raw);
    if (typeof value !== 'string' || !field) return value;
    const dates = this.mapping?.dates;
    if (field.type === 'instant') return isoFrom(value, dates?.dateTime, dates?.zone, false);
    if (field.type === 'day') return isoFrom(value, dates?.date, dates?.zone, true);
    return text ? fromText(field, value) : value;
  }
}

/**
 * The data with each instant in its canonical UTC form, for the fact's key: `10:00:00Z` and
 * `10:00+00:00` are one moment, so one fact (the decider normalises them alike when it records).
 */
function instantsInUtc(kind: ImportKind, data: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...data };
  const utc = (value: unknown) => (typeof value === 'string' ? (parseInstant(value)?.toISO() ?? value) : value);
  for (const [first, second] of INSTANT_PATHS.get(kind)!) {
    if (second === undefined) {
      if (first in copy) copy[first] = utc(copy[first]);
    } else if (copy[first] && typeof copy[first] === 'object') {
      const nested = { ...(copy[first] as Record<string, unknown>) };
      if (second in nested) nested[second] = utc(nested[second]);
      copy[first] = nested;
    }
  }
  return copy;
}

/** Each kind's instant fields, a nested one as its two names (no instant is inside a list). */
const INSTANT_PATHS = new Map(
  IMPORT_KINDS.map((kind) => {
    const paths: [string, string?][] = [];
    for (const [name, field] of Object.entries(COMMAND_FIELDS[kind] as Fields)) {
      if (field.type === 'instant') paths.push([name]);
      if (field.type === 'nested')
        for (const [inner, innerField] of Object.entries(field.fields)) if (innerField.type === 'instant') paths.push([name, inner]);
    }
    return [kind, paths];
  }),
);

/** A CSV cell as the field's type: the text unchanged where it is not one, for the rules to refuse. */
function fromText(field: Field, value: string): unknown {
  switch (field.type) {
    case 'oneOf':
      return field.values.some((allowed) => typeof allowed === 'number') && /^\d+$/.test(value) ? Number(value) : value;
    case 'flag':
      return /^true$/i.test(value) ? true : /^false$/i.test(value) ? false : value;
    case 'pence':
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case 'nested':
    case 'nestedList':
    case 'textList':
      try {
        return /^\s*[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
      } catch {
        return value;
      }
    default:
      return value;
  }
}

/**
 * The landlord's remedy references, an import-only field taken out of the data: the ones an offer
 * (or a response's remedies) names, and the one a completion refers to.
 */
function remedyReferences(
  kind: ImportKind,
  data: Record<string, unknown>,
): { offers: (string | undefined)[]; completes?: string } | { refused: Reason & { field: string } } {
  const check = (value: unknown, field: string, required: boolean): string | undefined | { refused: Reason & { field: string } } => {
    if (value === undefined && !required) return undefined;
    const problem =
      value === undefined
        ? 'is required: the reference of the remedy completed'
        : residentReferenceProblem(value)?.replace(/^reference /, '');
    return problem ? { refused: { field, rule: REMEDY_REFERENCE_RULE, message: `${field} ${problem}` } } : (value as string);
  };
  if (kind === 'OfferRemedy' || kind === 'CompleteRemedy') {
    const reference = check(data[REMEDY_REFERENCE], REMEDY_REFERENCE, kind === 'CompleteRemedy');
    delete data[REMEDY_REFERENCE];
    if (reference && typeof reference === 'object') return reference;
    return kind === 'OfferRemedy' ? { offers: [reference] } : { offers: [], completes: reference! };
  }
  if (kind === 'RespondToComplaint' && Array.isArray(data.remedies)) {
    const offers: (string | undefined)[] = [];
    for (const [index, remedy] of data.remedies.entries()) {
      if (!remedy || typeof remedy !== 'object') {
        offers.push(undefined);
        continue;
      }
      const terms = remedy as Record<string, unknown>;
      const reference = check(terms[REMEDY_REFERENCE], `remedies[${index}].${REMEDY_REFERENCE}`, false);
      delete terms[REMEDY_REFERENCE];
      if (reference && typeof reference === 'object') return reference;
      offers.push(reference);
    }
    return { offers };
  }
  return { offers: [] };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]!;
    const child = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    if (child && typeof child === 'object') node = child as Record<string, unknown>;
    else {
      const made = /^\d+$/.test(segments[i + 1]!) ? [] : {};
      (node as Record<string, unknown>)[key] = made;
      node = made;
    }
  }
  (node as Record<string, unknown>)[segments.at(-1)!] = value;
}

function getPath(target: Record<string, unknown>, path: string): unknown {
  let node: unknown = target;
  for (const key of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
