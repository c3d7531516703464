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
import { CLOCK, COMPLIANCE_RULES, EVENT_STORE, LEDGER_CONFIG, READ_SIDE, RELAY, type Clock } from './infrastructure/tokens';
import { ComplaintListController } from './complaints/queries/complaint-list.controller';
import { BreachesController } from './breaches/breaches.controller';
import { TsmController } from './statistics/tsm.controller';

class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, store: EventStore, readSide: ReadSide, relay: EventRelay | null, clock: Clock): DynamicModule {
    const rules = complianceRulesFrom(config);
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
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
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: store },
        { provide: CLOCK, useValue: clock },
        { provide: READ_SIDE, useValue: readSide },
        { provide: RELAY, useValue: relay },
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
