import { ValidationError, ValidationPipe } from '@nestjs/common';
import { invalidRequest, type FieldError } from './problem';

/** Every broken rule, named by its field's path under `prefix`. */
export function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field =
      Array.isArray(error.target) || /^\d+$/.test(error.property)
        ? `${prefix}[${error.property}]`
        : `${prefix}${prefix ? '.' : ''}${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** DTO validation at the edge: unknown fields refused, every broken rule named (400, problem+json). */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => invalidRequest(flatten(errors)),
});
