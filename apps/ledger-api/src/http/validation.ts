import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { fieldErrorsOf, isRefusedFieldName } from '@complaint-ledger/ledger';
import { invalidRequest } from './problem';

/** Every broken rule, named by its field's path under `prefix` (the core's naming, which the import's report uses too). */
export const flatten = fieldErrorsOf;

/** The path of the first field named as an inherited property, in a body or query as parsed, or null. */
function inheritedNameIn(value: unknown, path = ''): string | null {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = inheritedNameIn(item, `${path}[${index}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (isRefusedFieldName(key)) return field;
      const found = inheritedNameIn((value as Record<string, unknown>)[key], field);
      if (found) return found;
    }
  }
  return null;
}

/** DTO validation at the edge: unknown fields refused (inherited names too), every broken rule named (400, problem+json). */
class EdgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const inherited = metadata.type === 'body' || metadata.type === 'query' ? inheritedNameIn(value) : null;
    if (inherited)
      throw invalidRequest([{ field: inherited, rule: 'whitelistValidation', message: `property ${inherited} should not exist` }]);
    return super.transform(value, metadata);
  }
}

export const validationPipe = new EdgeValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => invalidRequest(flatten(errors)),
});
