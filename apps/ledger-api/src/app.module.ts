import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { keyDerivedFromMasterKey, type Ledger } from '@complaint-ledger/ledger';
import { CommandEndpoint } from './complaints/command-endpoint';
import { commandHandlers } from './complaints/command-bus';
import { commandRoutes } from './complaints/command-registry';
import { ComplaintQueriesController } from './complaints/queries/complaint-queries.controller';
import { HealthController } from './health/health.controller';
import { CLOCK, LEDGER } from './infrastructure/tokens';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ClientRateLimitGuard, SlidingWindowRateLimits } from './http/rate-limit';
import type { ApiKeyRing } from './auth/api-keys';
import { API_KEYS, AuthGuard, JWT_VERIFIER } from './auth/auth.guard';
import type { Credentials } from './auth/auth.factory';
import { ResidentsController } from './residents/residents.controller';
import { AnnualReportController } from './reports/annual-report.controller';
import { ComplaintListController } from './complaints/queries/complaint-list.controller';
import { BreachesController } from './breaches/breaches.controller';
import { TsmController } from './statistics/tsm.controller';
import { LedgerIntegrityController } from './ledger/ledger-integrity.controller';
import { ConsoleController } from './console/console.controller';
import { ConsoleSignIns } from './console/sign-ins';
import { DocumentsController } from './complaints/documents/documents.controller';
import { EvidencePackController } from './complaints/documents/evidence-pack.controller';
import { ImportsController } from './imports/imports.controller';

/** The ledger starts (projections caught up, relay and sweeps running) before the app serves, and closes last. */
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(API_KEYS) private readonly keys: ApiKeyRing,
  ) {}
  onApplicationBootstrap(): Promise<void> {
    return this.ledger.start();
  }
  async onApplicationShutdown(): Promise<void> {
    this.keys.close();
    await this.ledger.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(ledger: Ledger, credentials: Credentials): DynamicModule {
    const { config } = ledger;
    const routes = commandRoutes();
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.LEDGER_RATE_LIMIT_PER_MINUTE }],
          storage: new SlidingWindowRateLimits(),
        }),
      ],
      controllers: [
        // every command's route, found in its slice (complaints/commands/<name>/)
        ...routes.map((route) => route.controller),
        ComplaintListController,
        ComplaintQueriesController,
        DocumentsController,
        EvidencePackController,
        BreachesController,
        TsmController,
        LedgerIntegrityController,
        HealthController,
        ResidentsController,
        AnnualReportController,
        ConsoleController,
        ImportsController,
      ],
      providers: [
        { provide: LEDGER, useValue: ledger },
        { provide: CLOCK, useValue: ledger.clock },
        // each command's CommandBus handler hands it to the ledger's one write path (ledger.write)
        ...commandHandlers(routes.map((route) => route.command)),
        { provide: API_KEYS, useValue: credentials.keys },
        { provide: JWT_VERIFIER, useValue: credentials.jwt },
        // order matters: rate limits apply before credentials are checked
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        CommandEndpoint,
        {
          provide: ConsoleSignIns,
          // sealed under a key every replica derives from the master key they share: a sign-in made on one is read by all
          useValue: new ConsoleSignIns(keyDerivedFromMasterKey(config, 'console sign-in'), config.LEDGER_CONSOLE_IDLE_MINUTES * 60_000),
        },
        LedgerLifecycle,
      ],
    };
  }
}
