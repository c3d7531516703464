import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { MAX_REMEDY_PENCE, RESIDENT_REFERENCE_MAX_LENGTH } from '@complaint-ledger/domain';
import {
  dayRules,
  flagRules,
  instantRules,
  leftOut,
  nestedListRules,
  nestedRules,
  oneOfRules,
  penceRules,
  residentReferenceRules,
  textListRules,
  textRules,
} from '@complaint-ledger/ledger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';

/**
 * Field decorators: the core's validation rules (libs/ledger/src/write/field-rules.ts, which the
 * bulk import checks rows by too) and the OpenAPI description, from one declaration.
 */
export const Instant = (required = true, description?: string) =>
  applyDecorators(
    ...instantRules(required),
    ApiProperty({ required, type: String, format: 'date-time', example: '2024-05-01T10:15:00+01:00', description }),
  );

export const LocalDay = (required = true, description?: string) =>
  applyDecorators(...dayRules(required), ApiProperty({ required, type: String, format: 'date', example: '2024-05-29', description }));

export const Text = (required = true, maxLength = 2000, description?: string) =>
  applyDecorators(...textRules(required, maxLength), ApiProperty({ required, maxLength, description }));

/** A resident reference: the domain's one rule, at intake and at erasure, so every recorded reference can be erased. */
export const ResidentReference = (description = "The landlord's reference for the resident") =>
  applyDecorators(
    ...residentReferenceRules(),
    ApiProperty({
      required: true,
      minLength: 1,
      maxLength: RESIDENT_REFERENCE_MAX_LENGTH,
      pattern: '^\\S(.*\\S)?$',
      example: "RES-1001 (O'Brien)",
      description: `${description}: printable characters, no leading or trailing white space`,
    }),
  );

export const OneOf = (values: readonly (string | number)[], required = true, description?: string) =>
  applyDecorators(...oneOfRules(values, required), ApiProperty({ required, enum: values, description }));

export const Flag = (required = true, description?: string) =>
  applyDecorators(...flagRules(required), ApiProperty({ required, type: Boolean, description }));

/** An amount of money in pence: a safe whole number up to the domain's bound (sums stay exact). */
export const Pence = (required = true, description?: string) =>
  applyDecorators(
    ...penceRules(required),
    ApiProperty({ required, type: Number, minimum: 0, maximum: MAX_REMEDY_PENCE, example: 25000, description }),
  );

export const Nested = (type: () => new () => object, required = true, description?: string) =>
  applyDecorators(
    ...nestedRules(type, required),
    ApiProperty({ required, type: type(), description }), // the class itself: OpenAPI names its schema
  );

export const NestedList = (type: () => new () => object, maxItems = 50, description?: string) =>
  applyDecorators(...nestedListRules(type, maxItems), ApiProperty({ required: false, type: [type()] as never, description }));

export const TextList = (maxItems = 50, description?: string) =>
  applyDecorators(...textListRules(maxItems), ApiProperty({ required: false, type: [String], description }));

/** Documents already attached to the complaint, by the ids their upload answered. */
export const DocumentIds = (
  description = 'Documents already attached to this complaint (POST …/documents) that this fact is or encloses',
) =>
  applyDecorators(
    leftOut(),
    IsArray(),
    ArrayMaxSize(50),
    IsUUID('all', { each: true, message: 'each of $property must be a document id (a UUID)' }),
    // attached documents are named in lower case: one named in upper case is the same document
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value) ? value.map((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id)) : value,
    ),
    ApiProperty({ required: false, type: [String], format: 'uuid', description }),
  );
