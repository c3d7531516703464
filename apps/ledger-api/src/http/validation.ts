import { ValidationPipe } from '@nestjs/common';
import { fieldErrorsOf } from '@complaint-ledger/ledger';
import { invalidRequest } from './problem';

/** Every broken rule, named by its field's path under `prefix` (the core's naming, which the import's report uses too). */
export const flatten = fieldErrorsOf;

/** DTO validation at the edge: unknown fields refused, every broken rule named (400, problem+json). */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => invalidRequest(flatten(errors)),
});
