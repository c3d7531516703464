import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { LedgerConfig } from '../config/ledger-config';
import { problemType, ProblemException } from '../http/problem';
import type { EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import type { EventRelay } from '@complaint-ledger/messaging';
import { DATA_KEYS, EVENT_STORE, LEDGER_CONFIG, READ_SIDE, RELAY } from '../infrastructure/tokens';
import type { DataKeyStore } from '@complaint-ledger/privacy';
import { readiness } from './readiness';
import { Public } from '../auth/roles';
import { SkipThrottle } from '@nestjs/throttler';
import { CommandMetrics } from './metrics';

@ApiTags('operations')
@Controller()
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(RELAY) private readonly relay: EventRelay | null,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(DATA_KEYS) private readonly dataKeys: DataKeyStore,
    private readonly metrics: CommandMetrics,
  ) {}

  /** The process is up. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** The store and the data keys can take writes; 503 otherwise, so load balancers stop sending commands. Projections and relay lag are reported. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, body } = await readiness(this.store, this.readSide, this.relay, this.dataKeys);
    void reply.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(@Req() request: FastifyRequest) {
    // open like health unless LEDGER_METRICS_KEY is set; then only that key (as a bearer token) reads it
    const key = this.config.LEDGER_METRICS_KEY;
    if (key && !sameSecret(request.headers.authorization ?? '', `Bearer ${key}`)) {
      throw new ProblemException({
        type: problemType('AUTH.UNAUTHENTICATED'),
        title: 'Unauthenticated',
        status: 401,
        detail: 'GET /metrics needs "Authorization: Bearer <LEDGER_METRICS_KEY>".',
      });
    }
    return this.metrics.registry.metrics();
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));
