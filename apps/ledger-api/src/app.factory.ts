import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { openApiDocument } from './http/openapi';
import { Ledger, openLogging, type Clock, type LedgerConfig, type Logging, type LoggerFactory } from '@complaint-ledger/ledger';
import { AppModule } from './app.module';
import { createCredentials } from './auth/auth.factory';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { revealPersonalData } from './http/reveal';
import { securityHeadersOver } from './http/security-headers';
import {
  acceptConsoleForms,
  acceptDocumentUploads,
  acceptImportUploads,
  acceptOnlyJson,
  BODY_LIMIT_BYTES,
  clientErrorHandler,
  sendFrameworkError,
} from './http/request-edges';
import { NestLogLines } from './http/nest-log-lines';
import { observeRequests } from './http/request-observation';

export interface AppOptions {
  config: LedgerConfig;
  clock?: Clock;
  /** Tests may pass a store; otherwise the configured adapter is opened. */
  store?: Ledger['store'];
  /** Where log lines go: the service's (main.ts), none (`false`: tests), or by default as `config` says. */
  logger?: Logging | false;
}

export const API_SERVICE = 'complaint-ledger-api';

/** Builds the HTTP application over the opened ledger (used by main.ts and by the e2e tests over real HTTP). */
export async function createApp({ config, clock, store, logger }: AppOptions): Promise<NestFastifyApplication> {
  // credentials first, then the ledger (the master key before anything else): without them the service refuses to start, having opened nothing
  const logging = logger === false ? null : (logger ?? openLogging(API_SERVICE, config));
  const credentials = createCredentials(config);
  const ledger = Ledger.open(config, { role: 'api', clock, store, loggers: logging?.loggers ?? quiet });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(ledger, credentials),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: config.LEDGER_TRUST_PROXY,
      frameworkErrors: sendFrameworkError,
      clientErrorHandler,
    }),
    { bodyParser: false, logger: logging ? new NestLogLines(logging.root) : false }, // the JSON parser is ours (acceptOnlyJson)
  );
  const fastify = app.getHttpAdapter().getInstance();
  observeRequests(fastify, logging?.root ?? null);
  acceptOnlyJson(fastify);
  acceptConsoleForms(fastify);
  acceptDocumentUploads(fastify);
  acceptImportUploads(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeadersOver(request.protocol));
    // what the API answers is for the credential that asked, as of now (personal data, read for a role, erasable): no cache keeps it
    if (request.url.startsWith('/v1/')) void reply.header('cache-control', 'no-store');
    done();
  });
  fastify.addHook('preSerialization', revealPersonalData(ledger.personalData!.cipher));
  if (config.corsOrigins.length)
    app.enableCors({
      origin: config.corsOrigins,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'if-match', 'idempotency-key', 'x-correlation-id', 'traceparent'],
      // what a browser client may read besides the safelisted headers
      exposedHeaders: [
        'etag',
        'location',
        'idempotent-replayed',
        'retry-after',
        'x-correlation-id',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
    });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, openApiDocument(app));
  return app;
}

/** For tests that asked for no logging: the ledger says nothing either. */
const quiet: LoggerFactory = () => ({ log: () => undefined, warn: () => undefined, error: () => undefined });
