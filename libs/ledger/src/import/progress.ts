import type { Outcome } from './journal';

/** Where an import is: reading the file, deciding its rows, writing the report, or ended. */
export type ImportPhase = 'staging' | 'deciding' | 'reporting' | 'done' | 'failed';

export interface ProgressSnapshot {
  readonly phase: ImportPhase;
  readonly rows: {
    /** Rows in the file: known once it has been read (staging counts them). */
    readonly total: number | null;
    readonly staged: number;
    /** Rows with a verdict: refused while staging, or decided. */
    readonly done: number;
    readonly accepted: number;
    readonly refused: number;
    readonly skipped: number;
  };
  /** Over the last ten seconds (or since the phase began). */
  readonly rowsPerSecond: number;
  /** Seconds until every row has a verdict at that rate; null while unknown. */
  readonly etaSeconds: number | null;
}

const WINDOW_MS = 10_000;

/** An import's counts as it goes, and its rate and time to go (for the CLI's bar and GET /v1/imports/{id}). */
export class ImportProgress {
  phase: ImportPhase = 'staging';
  total: number | null = null;
  staged = 0;
  private readonly counts: Record<Outcome, number> = { accepted: 0, refused: 0, skipped: 0 };
  private samples: { at: number; done: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts already in the journal (a resumed import starts from them). */
  restore(counts: Record<Outcome, number>): void {
    // only the outcomes: a journal's counts carry more (rows, pending), which are not counted here
    for (const outcome of Object.keys(this.counts) as Outcome[]) this.counts[outcome] = counts[outcome];
  }

  count(outcome: Outcome, rows = 1): void {
    this.counts[outcome] += rows;
  }

  get done(): number {
    return this.counts.accepted + this.counts.refused + this.counts.skipped;
  }

  /** The phase changes: the rate is measured afresh (staging reads rows faster than deciding does). */
  enter(phase: ImportPhase): void {
    this.phase = phase;
    this.samples = [];
  }

  snapshot(): ProgressSnapshot {
    const at = this.now();
    const moved = this.phase === 'staging' ? this.staged : this.done;
    this.samples.push({ at, done: moved });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    const rowsPerSecond = seconds > 0.5 ? Math.round((moved - first.done) / seconds) : 0;
    const remaining = this.total === null ? null : this.total - this.done;
    const etaSeconds =
      this.phase === 'done'
        ? 0
        : this.phase !== 'deciding' || remaining === null || !rowsPerSecond
          ? null
          : Math.ceil(remaining / rowsPerSecond);
    return {
      phase: this.phase,
      rows: { total: this.total, staged: this.staged, done: this.done, ...this.counts },
      rowsPerSecond,
      etaSeconds,
    };
  }
}
