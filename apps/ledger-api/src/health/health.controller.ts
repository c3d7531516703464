import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import type { EventRelay } from '@complaint-ledger/messaging';
import { EVENT_STORE, READ_SIDE, RELAY } from '../infrastructure/tokens';
import { readiness } from './readiness';
import { CommandMetrics } from './metrics';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(RELAY) private readonly relay: EventRelay | null,
    private readonly metrics: CommandMetrics,
  ) {}

  /** The process is up. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** The store can take writes; 503 otherwise, so load balancers stop sending commands. Projections and relay lag are reported. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, body } = await readiness(this.store, this.readSide, this.relay);
    void reply.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
