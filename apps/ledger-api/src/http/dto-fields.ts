import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
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
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { MAX_REMEDY_PENCE, RESIDENT_REFERENCE_MAX_LENGTH, residentReferenceProblem } from '@complaint-ledger/domain';

/** Field decorators: validation and OpenAPI from one declaration (one concept, one place). */
const optional = (required: boolean) => (required ? [] : [IsOptional()]);

export const Instant = (required = true, description?: string) =>
  applyDecorators(
    ...optional(required),
    IsISO8601({ strict: true }, { message: '$property must be an ISO-8601 instant with an offset, or a date' }),
    ApiProperty({ required, type: String, format: 'date-time', example: '2024-05-01T10:15:00+01:00', description }),
  );

export const LocalDay = (required = true, description?: string) =>
  applyDecorators(
    ...optional(required),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be an ISO date (YYYY-MM-DD)' }),
    ApiProperty({ required, type: String, format: 'date', example: '2024-05-29', description }),
  );

export const Text = (required = true, maxLength = 2000, description?: string) =>
  applyDecorators(
    ...optional(required),
    IsString(),
    // required text says something: empty or white space only is refused
    ...(required ? [IsNotEmpty(), Matches(/\S/, { message: '$property must not be blank' })] : []),
    MaxLength(maxLength),
    ApiProperty({ required, maxLength, description }),
  );

/** A resident reference: the domain's one rule, at intake and at erasure, so every recorded reference can be erased. */
export const ResidentReference = (description = "The landlord's reference for the resident") =>
  applyDecorators(
    ValidateBy({
      name: 'residentReference',
      validator: {
        validate: (value) => residentReferenceProblem(value) === null,
        defaultMessage: (args) => residentReferenceProblem(args?.value) ?? '',
      },
    }),
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
  applyDecorators(...optional(required), IsIn(values), ApiProperty({ required, enum: values, description }));

export const Flag = (required = true, description?: string) =>
  applyDecorators(...optional(required), IsBoolean(), ApiProperty({ required, type: Boolean, description }));

/** An amount of money in pence: a safe whole number up to the domain's bound (sums stay exact). */
export const Pence = (required = true, description?: string) =>
  applyDecorators(
    ...optional(required),
    IsInt(),
    Min(0),
    Max(MAX_REMEDY_PENCE, { message: `$property must be at most ${MAX_REMEDY_PENCE} pence (£10,000,000)` }),
    ApiProperty({ required, type: Number, minimum: 0, maximum: MAX_REMEDY_PENCE, example: 25000, description }),
  );

export const Nested = (type: () => new () => object, required = true, description?: string) =>
  applyDecorators(
    // ValidateNested alone lets a missing object through: a required one must be there, and be an object
    ...(required ? [IsDefined({ message: '$property is required' })] : [IsOptional()]),
    IsObject({ message: '$property must be an object' }),
    ValidateNested(),
    Type(type),
    ApiProperty({ required, type: type(), description }), // the class itself: OpenAPI names its schema
  );

export const NestedList = (type: () => new () => object, maxItems = 50, description?: string) =>
  applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(maxItems),
    ValidateNested({ each: true }),
    Type(type),
    ApiProperty({ required: false, type: [type()] as never, description }),
  );

export const TextList = (maxItems = 50, description?: string) =>
  applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(maxItems),
    IsString({ each: true }),
    MaxLength(2000, { each: true }),
    ApiProperty({ required: false, type: [String], description }),
  );

/** Documents already attached to the complaint, by the ids their upload answered. */
export const DocumentIds = (
  description = 'Documents already attached to this complaint (POST …/documents) that this fact is or encloses',
) =>
  applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(50),
    IsUUID('all', { each: true, message: 'each of $property must be a document id (a UUID)' }),
    ApiProperty({ required: false, type: [String], format: 'uuid', description }),
  );
