import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsISO8601,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationError,
} from 'class-validator';
import { MAX_REMEDY_PENCE, residentReferenceProblem } from '@complaint-ledger/domain';
import { isSealed } from '@complaint-ledger/privacy';

/**
 * The rules a command's fields are checked by before the decider sees them (a required text says
 * something, an instant carries an offset, a code is one of the vocabulary's…), as class-validator
 * decorators. One place for both edges that take commands: the API's request DTOs put them on
 * their fields beside the OpenAPI description (apps/ledger-api/src/http/dto-fields.ts), and the
 * bulk import checks each row's data against the same (command-fields.ts).
 */
/**
 * An optional field may be left out, not sent as null: IsOptional would let null through to the
 * decider, which reads a field left out as undefined (a null instant or list was a 500).
 */
export const leftOut = () => ValidateIf((_: object, value: unknown) => value !== undefined);
const optional = (required: boolean) => (required ? [] : [leftOut()]);

export const instantRules = (required = true): PropertyDecorator[] => [
  ...optional(required),
  IsISO8601({ strict: true }, { message: '$property must be an ISO-8601 instant with an offset, or a date' }),
];

export const dayRules = (required = true): PropertyDecorator[] => [
  ...optional(required),
  Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be an ISO date (YYYY-MM-DD)' }),
  // a day the calendar has (not 2024-02-30, 2024-13-45 or 0000-00-00)
  IsISO8601({ strict: true }, { message: '$property must be a date the calendar has (YYYY-MM-DD)' }),
];

export const textRules = (required = true, maxLength = 2000): PropertyDecorator[] => [
  ...optional(required),
  IsString(),
  // required text says something: empty or white space only is refused
  ...(required ? [IsNotEmpty(), Matches(/\S/, { message: '$property must not be blank' })] : []),
  MaxLength(maxLength),
];

/** A resident reference: the domain's one rule, at intake and at erasure, so every recorded reference can be erased. */
export const residentReferenceRules = (): PropertyDecorator[] => [
  ValidateBy({
    name: 'residentReference',
    validator: {
      validate: (value) => residentReferenceProblem(value) === null,
      defaultMessage: (args) => residentReferenceProblem(args?.value) ?? '',
    },
  }),
];

export const oneOfRules = (values: readonly (string | number)[], required = true): PropertyDecorator[] => [
  ...optional(required),
  IsIn(values as (string | number)[]),
];

export const flagRules = (required = true): PropertyDecorator[] => [...optional(required), IsBoolean()];

/** An amount of money in pence: a safe whole number up to the domain's bound (sums stay exact). */
export const penceRules = (required = true): PropertyDecorator[] => [
  ...optional(required),
  IsInt(),
  Min(0),
  Max(MAX_REMEDY_PENCE, { message: `$property must be at most ${MAX_REMEDY_PENCE} pence (£10,000,000)` }),
];

export const nestedRules = (type: () => new () => object, required = true): PropertyDecorator[] => [
  // ValidateNested alone lets a missing object through: a required one must be there, and be an object
  ...(required ? [IsDefined({ message: '$property is required' })] : [leftOut()]),
  IsObject({ message: '$property must be an object' }),
  ValidateNested(),
  Type(type),
];

export const nestedListRules = (type: () => new () => object, maxItems = 50): PropertyDecorator[] => [
  leftOut(),
  IsArray(),
  ArrayMaxSize(maxItems),
  ValidateNested({ each: true }),
  Type(type),
];

export const textListRules = (maxItems = 50): PropertyDecorator[] => [
  leftOut(),
  IsArray(),
  ArrayMaxSize(maxItems),
  IsString({ each: true }),
  MaxLength(2000, { each: true }),
];

/**
 * Field names no command has and none may be given: the names every object inherits (`__proto__`,
 * `constructor`, `toString`…), which class-validator takes for declared fields and lets by, and
 * `prototype`, which with them reaches an object's prototype. The HTTP edge refuses them in a body
 * or query, the import in a column's path, both as `whitelistValidation`.
 */
const REFUSED_FIELD_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export const isRefusedFieldName = (name: string): boolean => REFUSED_FIELD_NAMES.has(name);

/**
 * Text in the form of a value this ledger encrypted (`enc:v1:…`, copied from an evidence pack, a
 * backup, a history) is refused wherever it is given, as a field's value or its name: no one has
 * cause to send the ledger its own ciphertext, and kept as it is in a field kept in clear (a
 * category) it would be shown decrypted wherever personal data is revealed.
 */
export const SEALED_TEXT_RULE = 'notEncryptedText';

export const sealedTextError = (field: string): FieldError => ({
  field,
  rule: SEALED_TEXT_RULE,
  message: `${field} holds text in the form the ledger encrypts personal data in: send the text itself`,
});

/**
 * The first field, in a request's body or query as parsed, that no command may be given: one named
 * as an inherited property (whitelistValidation), or sealed text as a name or a value.
 */
export function refusedFieldIn(value: unknown, path = ''): FieldError | null {
  if (typeof value === 'string') return isSealed(value) ? sealedTextError(path || '(the value)') : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = refusedFieldIn(item, `${path}[${index}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (isRefusedFieldName(key)) return { field, rule: 'whitelistValidation', message: `property ${field} should not exist` };
      if (isSealed(key)) return sealedTextError(field);
      const found = refusedFieldIn((value as Record<string, unknown>)[key], field);
      if (found) return found;
    }
  }
  return null;
}

/** One broken rule of a field, named by its path (`resident.reference`, `remedies[0].type`). */
export interface FieldError {
  readonly field: string;
  /** The rule broken, as class-validator names it (`isIn`, `maxLength`, `whitelistValidation`…). */
  readonly rule: string;
  readonly message: string;
}

/** Every broken rule, named by its field's path under `prefix`. */
export function fieldErrorsOf(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field =
      Array.isArray(error.target) || /^\d+$/.test(error.property)
        ? `${prefix}[${error.property}]`
        : `${prefix}${prefix ? '.' : ''}${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...fieldErrorsOf(error.children ?? [], field)];
  });
}
