import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { ReadinessBody } from '../http/responses';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayReadMetrics, type Ledger } from '@complaint-ledger/ledger';
import { problemType, ProblemException } from '../http/problem';
import { LEDGER } from '../infrastructure/tokens';
import { Public } from '../auth/roles';
import { SkipThrottle } from '@nestjs/throttler';

@ApiTags('operations')
@Controller()
@Public()
@SkipThrottle()
export class HealthController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  /** The process is up. */
  @Get('health/live')
  @ApiOperation({ operationId: 'GetLiveness', summary: 'The process is up (for a liveness probe; it checks nothing else)' })
  live() {
    return { status: 'ok' };
  }

  /** The store and the data keys can take writes; 503 otherwise, so load balancers stop sending commands. Projections and relay lag are reported. */
  @Get('health/ready')
  @ApiOperation({
    operationId: 'GetReadiness',
    summary: 'Whether this instance can take commands (503 when not, so load balancers stop sending them), with projection and relay lag',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessBody> {
    const { ready, body } = await this.ledger.readiness();
    void reply.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(@Req() request: FastifyRequest) {
    // open like health unless LEDGER_METRICS_KEY is set; then only that key (as a bearer token) reads it
    if (!mayReadMetrics(this.ledger.config.LEDGER_METRICS_KEY, request.headers.authorization)) {
      throw new ProblemException({
        type: problemType('AUTH.UNAUTHENTICATED'),
        title: 'Unauthenticated',
        status: 401,
        detail: 'GET /metrics needs "Authorization: Bearer <LEDGER_METRICS_KEY>".',
      });
    }
    return this.ledger.metrics.registry.metrics();
  }
}
