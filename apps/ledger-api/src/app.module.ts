import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import type { EventRelay } from '@complaint-ledger/messaging';
import type { LedgerConfig } from './config/ledger-config';
import { CommandEndpoint } from './complaints/command-endpoint';
import { ComplaintCommandService } from './complaints/complaint-command.service';
import { RecordComplaintFactHandler } from './complaints/record-complaint-fact';
import { AcknowledgeComplaintController } from './complaints/commands/acknowledge-complaint/acknowledge-complaint.http.controller';
import { AssignHandlerController } from './complaints/commands/assign-handler/assign-handler.http.controller';
import { AuthoriseRepresentativeController } from './complaints/commands/authorise-representative/authorise-representative.http.controller';
import { CompleteRemedyController } from './complaints/commands/complete-remedy/complete-remedy.http.controller';
import { EscalateComplaintController } from './complaints/commands/escalate-complaint/escalate-complaint.http.controller';
import { ExtendDeadlineController } from './complaints/commands/extend-deadline/extend-deadline.http.controller';
import { OfferRemedyController } from './complaints/commands/offer-remedy/offer-remedy.http.controller';
import { ReceiveComplaintController } from './complaints/commands/receive-complaint/receive-complaint.http.controller';
import { RecordCorrespondenceController } from './complaints/commands/record-correspondence/record-correspondence.http.controller';
import { RecordNonAcceptanceController } from './complaints/commands/record-non-acceptance/record-non-acceptance.http.controller';
import { RecordReasonableAdjustmentController } from './complaints/commands/record-reasonable-adjustment/record-reasonable-adjustment.http.controller';
import { RefuseEscalationController } from './complaints/commands/refuse-escalation/refuse-escalation.http.controller';
import { RespondToComplaintController } from './complaints/commands/respond-to-complaint/respond-to-complaint.http.controller';
import { WithdrawComplaintController } from './complaints/commands/withdraw-complaint/withdraw-complaint.http.controller';
import { ComplaintQueriesController } from './complaints/queries/complaint-queries.controller';
import { HealthController } from './health/health.controller';
import { CommandMetrics } from './health/metrics';
import { complianceRulesFrom, ReadSideLifecycle } from './infrastructure/read-side.factory';
import {
  CLOCK,
  COMPLIANCE_RULES,
  DATA_KEYS,
  EVENT_STORE,
  LEDGER_CONFIG,
  PERSONAL_DATA,
  READ_SIDE,
  RELAY,
  type Clock,
} from './infrastructure/tokens';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ClientRateLimitGuard, SlidingWindowRateLimits } from './http/rate-limit';
import type { DataKeyStore, PersonalDataCipher } from '@complaint-ledger/privacy';
import type { ApiKeyRing } from './auth/api-keys';
import { API_KEYS, AuthGuard, JWT_VERIFIER } from './auth/auth.guard';
import type { JwtVerifier } from './auth/jwt';
import { ErasureService } from './residents/erasure.service';
import { ResidentsController } from './residents/residents.controller';
import { AnnualReportController } from './reports/annual-report.controller';
import { ComplaintListController } from './complaints/queries/complaint-list.controller';
import { BreachesController } from './breaches/breaches.controller';
import { TsmController } from './statistics/tsm.controller';

class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** What the app is wired with: made by app.factory.ts (or by tests), closed by the lifecycles. */
export interface AppInfrastructure {
  readonly store: EventStore;
  readonly readSide: ReadSide;
  readonly relay: EventRelay | null;
  readonly clock: Clock;
  readonly credentials: { readonly keys: ApiKeyRing; readonly jwt: JwtVerifier | null };
  readonly personalData: { readonly keys: DataKeyStore; readonly cipher: PersonalDataCipher };
}

class SecurityLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeyRing,
    @Inject(DATA_KEYS) private readonly dataKeys: DataKeyStore,
  ) {}
  onApplicationShutdown(): void {
    this.keys.close();
    this.dataKeys.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, infrastructure: AppInfrastructure): DynamicModule {
    const { store, readSide, relay, clock, credentials, personalData } = infrastructure;
    const rules = complianceRulesFrom(config);
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
        ComplaintListController,
        ComplaintQueriesController,
        BreachesController,
        TsmController,
        HealthController,
        ResidentsController,
        AnnualReportController,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: store },
        { provide: CLOCK, useValue: clock },
        { provide: READ_SIDE, useValue: readSide },
        { provide: RELAY, useValue: relay },
        { provide: API_KEYS, useValue: credentials.keys },
        { provide: JWT_VERIFIER, useValue: credentials.jwt },
        { provide: DATA_KEYS, useValue: personalData.keys },
        { provide: PERSONAL_DATA, useValue: personalData.cipher },
        // order matters: rate limits apply before credentials are checked
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        ErasureService,
        SecurityLifecycle,
        { provide: COMPLIANCE_RULES, useValue: rules },
        CommandMetrics,
        ComplaintCommandService,
        CommandEndpoint,
        RecordComplaintFactHandler,
        StoreLifecycle,
        ReadSideLifecycle,
      ],
    };
  }
}
