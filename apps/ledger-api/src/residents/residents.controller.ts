import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { ErasureBody } from '../http/responses';
import type { Ledger } from '@complaint-ledger/ledger';
import { residentReferenceProblem } from '@complaint-ledger/domain';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles';
import { ResidentReference } from '../http/dto-fields';
import { invalidRequest } from '../http/problem';
import { correlationIdOf, principalOf } from '../http/request-context';
import { LEDGER } from '../infrastructure/tokens';

export class EraseResidentRequest {
  @ResidentReference('The reference the resident was recorded under') reference!: string;
}

/**
 * UK GDPR erasure: the resident's personal data becomes unreadable everywhere; the record of dates
 * and decisions stays. The reference travels in the body, so every reference intake accepts
 * (spaces, accents, `#`, `/`…) can be erased.
 */
@ApiTags('residents')
@Controller('v1/residents')
export class ResidentsController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  @Post('erasure')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'ErasePersonalData', summary: "Erase a resident's personal data (crypto-shredding) — PersonalDataErased" })
  erase(@Body() body: EraseResidentRequest, @Req() request: FastifyRequest): Promise<ErasureBody> {
    return this.eraseResident(body.reference, request);
  }

  /** The earlier form, kept for clients that use it: only references that fit in one URL path segment. */
  @Post(':reference/erasure')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'ErasePersonalDataNamedInPath',
    summary: 'Erase a resident named in the path (deprecated: use POST /v1/residents/erasure)',
    deprecated: true,
  })
  eraseNamedInPath(@Param('reference') reference: string, @Body() _body: unknown, @Req() request: FastifyRequest): Promise<ErasureBody> {
    const problem = residentReferenceProblem(reference);
    if (problem) throw invalidRequest([{ field: 'reference', rule: 'residentReference', message: problem }]);
    return this.eraseResident(reference, request);
  }

  private eraseResident(reference: string, request: FastifyRequest) {
    // an API process always has the master key (it refuses to start without one), so erasure is there
    return this.ledger.erasure!.erase(reference, principalOf(request), 'request', correlationIdOf(request));
  }
}
