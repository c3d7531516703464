import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Ledger } from '@complaint-ledger/ledger';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles';
import { invalidRequest } from '../http/problem';
import { correlationIdOf, principalOf } from '../http/request-context';
import { LEDGER } from '../infrastructure/tokens';

const REFERENCE = /^[\w./-]{1,100}$/;

@ApiTags('residents')
@Controller('v1/residents/:reference')
export class ResidentsController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  /** UK GDPR erasure: the resident's personal data becomes unreadable everywhere; the record of dates and decisions stays. */
  @Post('erasure')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Erase a resident's personal data (crypto-shredding) — PersonalDataErased" })
  erase(@Param('reference') reference: string, @Body() _body: unknown, @Req() request: FastifyRequest) {
    if (!REFERENCE.test(reference)) {
      throw invalidRequest([
        { field: 'reference', rule: 'matches', message: 'reference must be 1–100 letters, digits, ".", "/", "_" or "-"' },
      ]);
    }
    // an API process always has the master key (it refuses to start without one), so erasure is there
    return this.ledger.erasure!.erase(reference, principalOf(request), 'request', correlationIdOf(request));
  }
}
