import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import { map } from 'rxjs';
import { PERSONAL_DATA } from '../infrastructure/tokens';

/**
 * Personal data is stored encrypted everywhere (events, read models); it is decrypted only here,
 * on its way to an authenticated reader — or shown as `[erased]` once the resident's key is gone.
 */
@Injectable()
export class RevealPersonalData implements NestInterceptor {
  constructor(@Inject(PERSONAL_DATA) private readonly cipher: PersonalDataCipher) {}

  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((body: unknown) => (body && typeof body === 'object' ? this.cipher.reveal(body) : body)));
  }
}
