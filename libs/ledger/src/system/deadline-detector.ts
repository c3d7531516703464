import { complaintsWithAlertsDue, type ReadModelDatabase } from '@complaint-ledger/projections';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { WritePath } from '../write/write-path';

export interface SweepResult {
  readonly at: string;
  /** Complaints the index said had an alert due. */
  readonly due: number;
  readonly breaches: number;
  readonly warnings: number;
  /** Breaches on record that facts recorded since disproved (decision 0017). */
  readonly retractions: number;
}

export interface DeadlineDetectorOptions {
  readonly clock: Clock;
  /** The principal recorded as each alert's actor. */
  readonly actor?: string;
  /** Complaints handled per sweep; the rest wait for the next one. */
  readonly maxPerSweep?: number;
}

/**
 * Records `DeadlineBreached`, `DeadlineApproaching` and `BreachRetracted` in each complaint's own
 * stream, once per deadline, by sending `RecordDeadlineAlerts` through the write path (the decider says what is
 * due). The complaints read model's index of next alert instants says which complaints to look
 * at, and its copy of each complaint spares the first read of the stream. A second detector
 * racing this one (or a read model behind the log) loses the append, the write path re-reads the
 * stream, and the decider finds the alert already recorded.
 */
export class DeadlineDetector {
  constructor(
    private readonly write: WritePath,
    private readonly readModel: ReadModelDatabase,
    private readonly options: DeadlineDetectorOptions,
  ) {}

  async sweep(): Promise<SweepResult> {
    const at = this.options.clock();
    const due = complaintsWithAlertsDue(this.readModel, at, this.options.maxPerSweep ?? 10_000);
    // every alert one sweep records has one cause, the sweep: one correlation id ties them together
    const correlationId = randomUUID();
    const outcomes = await Promise.all(
      due.map((doc) =>
        this.write.execute({
          complaintId: doc.state.complaintId,
          command: { type: 'RecordDeadlineAlerts', data: { asOf: at } },
          actor: this.options.actor ?? 'ledger:breach-detector',
          correlationId,
          known: { state: doc.state, revision: doc.revision },
        }),
      ),
    );
    const all = outcomes.flatMap((outcome) => outcome.recorded);
    return {
      at,
      due: due.length,
      breaches: all.filter((type) => type === 'DeadlineBreached').length,
      warnings: all.filter((type) => type === 'DeadlineApproaching').length,
      retractions: all.filter((type) => type === 'BreachRetracted').length,
    };
  }
}
