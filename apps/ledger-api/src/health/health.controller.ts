import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import { EVENT_STORE, READ_SIDE } from '../infrastructure/tokens';
import { CommandMetrics } from './metrics';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    private readonly metrics: CommandMetrics,
  ) {}

  /** The process is up. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** The store can take writes; 503 otherwise, so load balancers stop sending commands. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const storeReady = await this.store.ready().catch(() => false);
    void reply.status(storeReady ? 200 : 503);
    // read models trail the log; a failing projection is reported but does not stop commands
    const projections = { status: this.readSide.runner.lastFailure ? 'failing' : 'up', position: this.readSide.runner.position };
    return { status: storeReady ? 'ok' : 'unavailable', checks: { eventStore: storeReady ? 'up' : 'down', projections } };
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
