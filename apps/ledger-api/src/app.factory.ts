import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { EventStore } from '@complaint-ledger/event-store';
import { AppModule } from './app.module';
import type { LedgerConfig } from './config/ledger-config';
import { createEventStore } from './infrastructure/event-store.factory';
import { createReadSide } from './infrastructure/read-side.factory';
import { createRelay } from './infrastructure/relay.factory';
import { systemClock, type Clock } from './infrastructure/tokens';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';

export interface AppOptions {
  config: LedgerConfig;
  clock?: Clock;
  /** Tests may pass a store; otherwise the configured adapter is opened. */
  store?: EventStore;
  logger?: false;
}

/** Builds the HTTP application (used by main.ts and by the e2e tests over real HTTP). */
export async function createApp({ config, clock = systemClock, store, logger }: AppOptions): Promise<NestFastifyApplication> {
  const eventStore = store ?? createEventStore(config, clock);
  const readSide = createReadSide(config, eventStore, clock);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, eventStore, readSide, createRelay(config, eventStore, readSide, clock), clock),
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    logger === false ? { logger: false } : {},
  );
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
