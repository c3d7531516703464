import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { fieldErrorsOf, refusedFieldIn } from '@complaint-ledger/ledger';
import { invalidRequest } from './problem';

/** Every broken rule, named by its field's path under `prefix` (the core's naming, which the import's report uses too). */
export const flatten = fieldErrorsOf;

/**
 * DTO validation at the edge: unknown fields refused (inherited names too), the ledger's own
 * ciphertext refused wherever it is sent, every broken rule named (400, problem+json).
 */
class EdgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const refused = metadata.type === 'body' || metadata.type === 'query' ? refusedFieldIn(value) : null;
    if (refused) throw invalidRequest([refused]);
    return super.transform(value, metadata);
  }
}

export const validationPipe = new EdgeValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => invalidRequest(flatten(errors)),
});
