import {
  alertsDue,
  complaintEventOf,
  EVENT_SCHEMA_VERSION,
  foldEvents,
  occurredAtOf,
  type AlertSettings,
  type ComplaintEvent,
  type ComplaintState,
  type ComplianceRules,
} from '@complaint-ledger/domain';
import {
  complaintStream,
  DuplicateEventId,
  uuidFrom,
  WrongExpectedRevision,
  type EventStore,
  type NewEvent,
} from '@complaint-ledger/event-store';
import { randomUUID } from 'node:crypto';
import { complaintsWithAlertsDue } from '../complaints/complaint-list';
import type { ReadModelDatabase } from '../read-model-database';

export interface SweepResult {
  readonly at: string;
  /** Complaints the index said had an alert due. */
  readonly due: number;
  readonly breaches: number;
  readonly warnings: number;
}

export interface BreachDetectorOptions {
  readonly settings: AlertSettings;
  readonly clock: () => string;
  /** The principal recorded as each alert's actor. */
  readonly actor?: string;
  /** Complaints handled per sweep; the rest wait for the next one. */
  readonly maxPerSweep?: number;
}

const MAX_ATTEMPTS = 4;

/**
 * Records `DeadlineBreached` and `DeadlineApproaching` in each complaint's own stream, exactly
 * once per deadline. The complaints read model's index of next alert instants says which
 * complaints to look at; the store decides: each alert has an event id derived from the
 * complaint and the deadline, and is appended at the revision it was decided on. A second
 * detector racing this one (or a read model behind the log) loses the append, re-reads the
 * stream, and finds the alert already recorded.
 */
export class BreachDetector {
  constructor(
    private readonly store: EventStore,
    private readonly readModel: ReadModelDatabase,
    private readonly rules: ComplianceRules,
    private readonly options: BreachDetectorOptions,
  ) {}

  async sweep(): Promise<SweepResult> {
    const at = this.options.clock();
    const due = complaintsWithAlertsDue(this.readModel, at, this.options.maxPerSweep ?? 10_000);
    // every alert one sweep records has one cause, the sweep: one correlation id ties them together
    const correlationId = randomUUID();
    const recorded = await Promise.all(due.map((doc) => this.alert(doc.state, doc.revision, at, correlationId)));
    const all = recorded.flat();
    return {
      at,
      due: due.length,
      breaches: all.filter((type) => type === 'DeadlineBreached').length,
      warnings: all.filter((type) => type === 'DeadlineApproaching').length,
    };
  }

  private async alert(known: ComplaintState, knownRevision: number, at: string, correlationId: string): Promise<string[]> {
    let state = known;
    let revision = knownRevision;
    for (let attempt = 1; ; attempt++) {
      const alerts = alertsDue(state, at, this.rules, this.options.settings);
      if (!alerts.length) return [];
      const stream = complaintStream(state.complaintId);
      try {
        const result = await this.store.append(
          stream,
          alerts.map((alert) => this.envelope(stream, alert, correlationId)),
          revision,
        );
        return result.written ? alerts.map((alert) => alert.type) : [];
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision || error instanceof DuplicateEventId) || attempt >= MAX_ATTEMPTS) throw error;
        const events = await this.store.readStream(stream);
        state = foldEvents(events.map(complaintEventOf)) as ComplaintState;
        revision = events.length - 1;
      }
    }
  }

  private envelope(stream: string, alert: ComplaintEvent & { data: { deadlineKey: string } }, correlationId: string): NewEvent {
    return {
      // one id per complaint, deadline and kind of alert: the store refuses a second copy
      eventId: uuidFrom(`${stream}|${alert.type}|${alert.data.deadlineKey}`),
      type: alert.type,
      data: alert.data,
      metadata: {
        occurredAt: occurredAtOf(alert),
        actor: this.options.actor ?? 'ledger:breach-detector',
        correlationId,
        schemaVersion: EVENT_SCHEMA_VERSION,
      },
    };
  }
}
