import { createHash } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';
import { isOneInstant, LONDON } from '@complaint-ledger/domain';
import { canonicalJson } from '@complaint-ledger/event-store';
import { COMMAND_FIELDS, fieldAt, IMPORT_KINDS, type Field, type Fields, type ImportKind } from './command-fields';

/**
 * How a landlord's export becomes the ledger's import format (docs/import.md, "The mapping file"),
 * without code: which of their columns holds which of the ledger's fields (for every kind of fact,
 * or kind by kind where one column means different things), their code lists for the ledger's
 * vocabularies (kinds, tenure, channel, category, decision, yes/no…), how their dates are written,
 * and what every row of a kind says where the export has no column for it.
 */
export interface ImportMapping {
  readonly columns?: Readonly<Record<string, Target>>;
  /** By the field's own name (`tenure`, `decision`, `kind`…): their code → the ledger's value. */
  readonly codes?: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  /** Luxon formats (`dd/MM/yyyy HH:mm`, `dd/MM/yyyy`), read in `zone` (Europe/London by default). */
  readonly dates?: { readonly dateTime?: string; readonly date?: string; readonly zone?: string };
  /** What each row of a kind says where the export has no value: `{ "RespondToComplaint": { "outstandingActions": [] } }`. */
  readonly constants?: Readonly<Partial<Record<ImportKind, Readonly<Record<string, unknown>>>>>;
  /** The CSV's field delimiter (`,` by default; `;` or a tab in some exports). */
  readonly delimiter?: string;
}

/** A column's field: the same for every kind of fact, or kind by kind. */
export type Target = string | Readonly<Partial<Record<ImportKind, string>>>;

/** Where a row's own columns go: the complaint reference, the kind of fact and its business date-time. */
export const ROW_COLUMNS = ['complaint', 'kind', 'at'] as const;

/** A landlord's own reference for a remedy (an import-only field: offers name it, completions refer to it). */
export const REMEDY_REFERENCE = 'remedyId';

export class MappingInvalid extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the mapping is not valid: ${problems.join('; ')}`);
    this.name = 'MappingInvalid';
  }
}

const KNOWN_KEYS = ['columns', 'codes', 'dates', 'constants', 'delimiter', '$comment'];

/** Whether `path` names something a row of `kind` can carry. */
export function targetsKind(kind: ImportKind, path: string): boolean {
  if ((ROW_COLUMNS as readonly string[]).includes(path)) return true;
  if (path === REMEDY_REFERENCE) return kind === 'OfferRemedy' || kind === 'CompleteRemedy';
  if (kind === 'RespondToComplaint' && /^remedies\.\d+\.remedyId$/.test(path)) return true;
  return fieldAt(kind, path) !== undefined;
}

/** The field a code list keyed by `name` applies to, in any kind: to check its values. */
function fieldsNamed(name: string): Field[] {
  const found: Field[] = [];
  for (const kind of IMPORT_KINDS)
    for (const path of fieldPaths(kind)) if (path.split('.').at(-1) === name) found.push(fieldAt(kind, path)!);
  return found;
}

function fieldPaths(kind: ImportKind): string[] {
  const paths: string[] = [];
  const walk = (fields: Fields, prefix: string) => {
    for (const [name, field] of Object.entries(fields)) {
      paths.push(prefix + name);
      if (field.type === 'nested') walk(field.fields, `${prefix}${name}.`);
      if (field.type === 'nestedList') walk(field.fields, `${prefix}${name}.0.`);
    }
  };
  walk(COMMAND_FIELDS[kind] as Fields, '');
  return paths;
}

/** Checks a mapping as read from its JSON file: every problem named, or the mapping. */
export function parseMapping(json: unknown): ImportMapping {
  const problems: string[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new MappingInvalid(['(the mapping): a mapping is a JSON object']);
  const mapping = json as Record<string, unknown>;
  for (const key of Object.keys(mapping))
    if (!KNOWN_KEYS.includes(key)) problems.push(`${key}: not part of a mapping (${KNOWN_KEYS.join(', ')})`);
  const columns = objectAt(mapping, 'columns', problems);
  for (const [column, target] of Object.entries(columns ?? {})) {
    if (typeof target === 'string') {
      if (!IMPORT_KINDS.some((kind) => targetsKind(kind, target)))
        problems.push(`columns.${column}: no kind of fact has a field ${target}`);
    } else if (target && typeof target === 'object' && !Array.isArray(target)) {
      for (const [kind, path] of Object.entries(target)) {
        if (!IMPORT_KINDS.includes(kind as ImportKind))
          problems.push(`columns.${column}.${kind}: not a kind of fact (${IMPORT_KINDS.join(', ')})`);
        else if (typeof path !== 'string' || !targetsKind(kind as ImportKind, path))
          problems.push(`columns.${column}.${kind}: ${kind} has no field ${String(path)}`);
      }
    } else problems.push(`columns.${column}: a field's name, or an object of fields by kind`);
  }
  const codes = objectAt(mapping, 'codes', problems);
  for (const [name, list] of Object.entries(codes ?? {})) {
    if (!list || typeof list !== 'object' || Array.isArray(list)) {
      problems.push(`codes.${name}: an object of their codes and the ledger's values`);
      continue;
    }
    const fields = fieldsNamed(name);
    if (name !== 'kind' && !fields.length) problems.push(`codes.${name}: no kind of fact has a field ${name}`);
    for (const [code, value] of Object.entries(list)) {
      const allowed =
        name === 'kind'
          ? IMPORT_KINDS.includes(value as ImportKind)
          : fields.every((field) =>
              field.type === 'oneOf'
                ? field.values.includes(value as string | number)
                : field.type === 'flag'
                  ? typeof value === 'boolean'
                  : typeof value === 'string',
            );
      if (!allowed) problems.push(`codes.${name}.${code}: ${JSON.stringify(value)} is not a value the ledger takes for ${name}`);
    }
  }
  const dates = objectAt(mapping, 'dates', problems);
  for (const [key, value] of Object.entries(dates ?? {})) {
    if (!['dateTime', 'date', 'zone'].includes(key)) problems.push(`dates.${key}: not part of dates (dateTime, date, zone)`);
    else if (typeof value !== 'string' || !value) problems.push(`dates.${key}: a text`);
    else if (key === 'zone' && !IANAZone.isValidZone(value)) problems.push(`dates.zone: ${value} is not a time zone`);
  }
  const constants = objectAt(mapping, 'constants', problems);
  for (const [kind, values] of Object.entries(constants ?? {})) {
    if (!IMPORT_KINDS.includes(kind as ImportKind)) problems.push(`constants.${kind}: not a kind of fact`);
    else if (!values || typeof values !== 'object' || Array.isArray(values))
      problems.push(`constants.${kind}: an object of fields and values`);
    else
      for (const path of Object.keys(values))
        if (!targetsKind(kind as ImportKind, path) || (ROW_COLUMNS as readonly string[]).includes(path))
          problems.push(`constants.${kind}.${path}: ${kind} has no field ${path}`);
  }
  if (
    mapping.delimiter !== undefined &&
    (typeof mapping.delimiter !== 'string' || mapping.delimiter.length !== 1 || ['"', '\n', '\r'].includes(mapping.delimiter))
  )
    problems.push('delimiter: one character, not a double quote or a line break');
  if (problems.length) throw new MappingInvalid(problems);
  return mapping as ImportMapping;
}

function objectAt(mapping: Record<string, unknown>, key: string, problems: string[]): Record<string, unknown> | undefined {
  const value = mapping[key];
  if (value === undefined) return undefined;
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${key}: an object`);
  return undefined;
}

/** A mapping's fingerprint: an import resumed must read the file as the interrupted one did. */
export const mappingHash = (mapping: ImportMapping | null): string =>
  createHash('sha256')
    .update(canonicalJson(mapping ?? {}))
    .digest('hex');

/** A date-time or date written as the mapping says, as ISO (with its offset); the text unchanged when it does not parse. */
export function isoFrom(value: string, format: string | undefined, zone: string | undefined, dateOnly: boolean): string {
  if (!format) return value;
  const parsed = DateTime.fromFormat(value.trim(), format, { zone: zone ?? LONDON, setZone: true });
  if (!parsed.isValid) return value;
  if (dateOnly) return parsed.toISODate()!;
  if (/[Zz]/.test(format.replace(/'[^']*'/g, ''))) return parsed.toISO({ suppressMilliseconds: true })!; // the text names its offset
  // a wall-clock time the zone's clocks skipped or passed twice names no one instant: not guessed; in London it goes on
  // without an offset, which the field rules refuse as such (decision 0012)
  const asWritten = DateTime.fromFormat(value.trim(), format, { zone: 'utc' });
  if (!isOneInstant(parsed, asWritten))
    return parsed.zoneName === LONDON ? asWritten.toISO({ includeOffset: false, suppressMilliseconds: true })! : value;
  return parsed.toISO({ suppressMilliseconds: true })!;
}
