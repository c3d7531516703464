import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles';
import { invalidRequest } from '../http/problem';
import { correlationIdOf, principalOf } from '../http/request-context';
import { ErasureService } from './erasure.service';

const REFERENCE = /^[\w./-]{1,100}$/;

@ApiTags('residents')
@Controller('v1/residents/:reference')
export class ResidentsController {
  constructor(private readonly erasure: ErasureService) {}

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
    return this.erasure.erase(reference, principalOf(request), 'request', correlationIdOf(request));
  }
}
