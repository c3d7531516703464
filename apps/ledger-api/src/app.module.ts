import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { WRITE_PATH_DEPENDENCIES, WritePath, type Ledger } from '@complaint-ledger/ledger';
import { CommandEndpoint } from './complaints/command-endpoint';
import { AcknowledgeComplaintController } from './complaints/commands/acknowledge-complaint/acknowledge-complaint.http';
import { AssignHandlerController } from './complaints/commands/assign-handler/assign-handler.http';
import { AuthoriseRepresentativeController } from './complaints/commands/authorise-representative/authorise-representative.http';
import { CompleteRemedyController } from './complaints/commands/complete-remedy/complete-remedy.http';
import { EscalateComplaintController } from './complaints/commands/escalate-complaint/escalate-complaint.http';
import { ExtendDeadlineController } from './complaints/commands/extend-deadline/extend-deadline.http';
import { OfferRemedyController } from './complaints/commands/offer-remedy/offer-remedy.http';
import { ReceiveComplaintController } from './complaints/commands/receive-complaint/receive-complaint.http';
import { RecordCorrespondenceController } from './complaints/commands/record-correspondence/record-correspondence.http';
import { RecordNonAcceptanceController } from './complaints/commands/record-non-acceptance/record-non-acceptance.http';
import { RecordReasonableAdjustmentController } from './complaints/commands/record-reasonable-adjustment/record-reasonable-adjustment.http';
import { RefuseEscalationController } from './complaints/commands/refuse-escalation/refuse-escalation.http';
import { RespondToComplaintController } from './complaints/commands/respond-to-complaint/respond-to-complaint.http';
import { WithdrawComplaintController } from './complaints/commands/withdraw-complaint/withdraw-complaint.http';
import { ComplaintQueriesController } from './complaints/queries/complaint-queries.controller';
import { HealthController } from './health/health.controller';
import { CLOCK, COMPLIANCE_RULES, EVENT_STORE, LEDGER, LEDGER_CONFIG, READ_SIDE } from './infrastructure/tokens';
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
import { ReadModels } from './infrastructure/read-models';
import { ComplaintViews } from './complaints/queries/complaint-views';
import { ConsoleController } from './console/console.controller';
import { ConsoleSignIns } from './console/sign-ins';
import { CorrectionsController } from './complaints/commands/correct-fact/correct-fact.http';

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
        ReceiveComplaintController,
        AcknowledgeComplaintController,
        ExtendDeadlineController,
        EscalateComplaintController,
        RespondToComplaintController,
        OfferRemedyController,
        CompleteRemedyController,
        RecordNonAcceptanceController,
        RefuseEscalationController,
        RecordCorrespondenceController,
        RecordReasonableAdjustmentController,
        AuthoriseRepresentativeController,
        AssignHandlerController,
        WithdrawComplaintController,
        CorrectionsController,
        ComplaintListController,
        ComplaintQueriesController,
        BreachesController,
        TsmController,
        LedgerIntegrityController,
        HealthController,
        ResidentsController,
        AnnualReportController,
        ConsoleController,
      ],
      providers: [
        { provide: LEDGER, useValue: ledger },
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: ledger.store },
        { provide: CLOCK, useValue: ledger.clock },
        { provide: READ_SIDE, useValue: ledger.readSide },
        { provide: COMPLIANCE_RULES, useValue: ledger.rules },
        // the ledger's write path handles the commands CommandEndpoint sends over the bus, with the ledger's own dependencies
        { provide: WRITE_PATH_DEPENDENCIES, useValue: ledger.writePathDependencies },
        WritePath,
        { provide: API_KEYS, useValue: credentials.keys },
        { provide: JWT_VERIFIER, useValue: credentials.jwt },
        // order matters: rate limits apply before credentials are checked
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        CommandEndpoint,
        ReadModels,
        ComplaintViews,
        { provide: ConsoleSignIns, useValue: new ConsoleSignIns(config.LEDGER_CONSOLE_IDLE_MINUTES * 60_000) },
        LedgerLifecycle,
      ],
    };
  }
}
