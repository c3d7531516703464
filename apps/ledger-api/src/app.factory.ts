import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { completeOpenApi } from './http/openapi';
import { Ledger, type Clock, type LedgerConfig, type LoggerFactory } from '@complaint-ledger/ledger';
import { AppModule } from './app.module';
import { createCredentials } from './auth/auth.factory';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { revealPersonalData } from './http/reveal';
import { plainHttpHeaders, securityHeaders } from './http/security-headers';
import {
  acceptConsoleForms,
  acceptImportUploads,
  acceptOnlyJson,
  BODY_LIMIT_BYTES,
  clientErrorHandler,
  sendFrameworkError,
} from './http/request-edges';

export interface AppOptions {
  config: LedgerConfig;
  clock?: Clock;
  /** Tests may pass a store; otherwise the configured adapter is opened. */
  store?: Ledger['store'];
  logger?: false;
}

/** Builds the HTTP application over the opened ledger (used by main.ts and by the e2e tests over real HTTP). */
export async function createApp({ config, clock, store, logger }: AppOptions): Promise<NestFastifyApplication> {
  // credentials first, then the ledger (the master key before anything else): without them the service refuses to start, having opened nothing
  const credentials = createCredentials(config);
  const ledger = Ledger.open(config, { role: 'api', clock, store, loggers: logger === false ? quiet : (context) => new Logger(context) });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(ledger, credentials),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: config.LEDGER_TRUST_PROXY,
      frameworkErrors: sendFrameworkError,
      clientErrorHandler,
    }),
    { bodyParser: false, ...(logger === false ? { logger: false } : {}) }, // the JSON parser is ours (acceptOnlyJson)
  );
  const fastify = app.getHttpAdapter().getInstance();
  acceptOnlyJson(fastify);
  acceptConsoleForms(fastify);
  acceptImportUploads(fastify);
  const overTls = securityHeaders();
  const overPlainHttp = plainHttpHeaders(overTls);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.protocol === 'https' ? overTls : overPlainHttp);
    done();
  });
  fastify.addHook('preSerialization', revealPersonalData(ledger.personalData!.cipher));
  if (config.corsOrigins.length)
    app.enableCors({
      origin: config.corsOrigins,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'if-match', 'idempotency-key', 'x-correlation-id'],
    });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const document = completeOpenApi(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('complaint-ledger')
        .setDescription("Event-sourced ledger of social-housing complaints under the Housing Ombudsman's Complaint Handling Code")
        .setVersion('1')
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (LEDGER_API_KEYS)' }, 'api-key')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key, or a JWT where configured' }, 'bearer')
        .addSecurityRequirements('api-key')
        .addSecurityRequirements('bearer')
        .build(),
    ),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/** For tests that asked for no logging: the ledger says nothing either. */
const quiet: LoggerFactory = () => ({ log: () => undefined, warn: () => undefined, error: () => undefined });
