import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { AppModule } from './app.module';
import type { LedgerConfig } from './config/ledger-config';
import { createEventStore } from './infrastructure/event-store.factory';
import { createReadSide } from './infrastructure/read-side.factory';
import { createRelay } from './infrastructure/relay.factory';
import { createPersonalData } from './infrastructure/privacy.factory';
import { createCredentials } from './auth/auth.factory';
import { systemClock, type Clock } from './infrastructure/tokens';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { revealPersonalData } from './http/reveal';
import { securityHeaders } from './http/security-headers';

export interface AppOptions {
  config: LedgerConfig;
  clock?: Clock;
  /** Tests may pass a store; otherwise the configured adapter is opened. */
  store?: EventStore;
  logger?: false;
}

/** Builds the HTTP application (used by main.ts and by the e2e tests over real HTTP). */
export async function createApp({ config, clock = systemClock, store, logger }: AppOptions): Promise<NestFastifyApplication> {
  // credentials and the master key first: without them the service refuses to start, having opened nothing
  const credentials = createCredentials(config);
  const personalData = createPersonalData(config, clock);
  const eventStore = store ?? createEventStore(config, clock);
  if (eventStore instanceof SqliteEventStore) {
    // new data keys are synced by the thread that commits the log, just before the events that use them
    const keysDependency = personalData.keys.commitDependency();
    if (keysDependency) eventStore.dependOn(keysDependency);
  }
  const readSide = createReadSide(config, eventStore, clock, { ownThread: config.LEDGER_PROJECTIONS_THREAD });
  const relay = createRelay(config, eventStore, readSide, clock);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { store: eventStore, readSide, relay, clock, credentials, personalData }),
    new FastifyAdapter({ bodyLimit: 256 * 1024, trustProxy: config.LEDGER_TRUST_PROXY }),
    logger === false ? { logger: false } : {},
  );
  const fastify = app.getHttpAdapter().getInstance();
  const headers = securityHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
  fastify.addHook('preSerialization', revealPersonalData(personalData.cipher));
  if (config.corsOrigins.length)
    app.enableCors({
      origin: config.corsOrigins,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'if-match', 'idempotency-key', 'x-correlation-id'],
    });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('complaint-ledger')
      .setDescription("Event-sourced ledger of social-housing complaints under the Housing Ombudsman's Complaint Handling Code")
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
