import type { ComplianceRules } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventKeyRing, type EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { ComplaintReads, type StreamCheck } from './complaint-reads';
import { QueryThread } from './query-thread';
import { ReadModelQueries, type ReadModelAnswers } from './read-model-queries';
import { ReadModelsBehind } from './errors';
import type { DocumentStore } from '../evidence/documents/document-store';

/** The longest a reader waits for the read models to reach the position it asked for. */
const CATCH_UP_MS = 5_000;

/** Queries waiting for the query thread at most, beyond which one is refused at once (503). */
const MAX_WAITING_QUERIES = 256;

export interface LedgerQueryOptions {
  /** Where the complaints' documents are kept, checked with their chains. */
  readonly documents?: DocumentStore;
  /** Each event's MAC is checked with these (decision 0023). */
  readonly eventKeys?: EventKeyRing | null;
  /** Whether a complaint's stream as read is what verification covers (LedgerIntegrity.checkStream). */
  readonly check?: StreamCheck | null;
  /** Throws while the read models are known to disagree with the log (ReadModelWatch): they are not answered from meanwhile. */
  readonly servable?: () => void;
}

/**
 * The ledger's read side, beside its one write path: every question the apps ask, live or at a
 * point in time. A complaint's own view, history, export and chain come from its stream in the
 * log; lists, breaches, statistics and the report from the read models — in the API with the
 * SQLite log, on a thread of their own (QueryThread), so no query holds up commands.
 */
export class LedgerQueries {
  readonly complaints: ComplaintReads;
  readonly readModels: ReadModelAnswers;

  private readonly position: () => number;
  /** The read models' answers as they run (here or on the query thread), before the check that they may be served. */
  private readonly answers: ReadModelAnswers;

  constructor(
    store: EventStore,
    readSide: ReadSide,
    rules: ComplianceRules,
    config: LedgerConfig,
    clock: Clock,
    ownThread: boolean,
    options: LedgerQueryOptions = {},
  ) {
    const { documents, eventKeys, check, servable } = options;
    this.complaints = new ComplaintReads(store, rules, clock, { eventKeys, check, documentStore: documents });
    const position = (this.position = () => readSide.runner.position);
    const answers =
      ownThread && store instanceof SqliteEventStore && config.projectionsPath !== ':memory:'
        ? new QueryThread({
            logPath: store.path,
            projectionsPath: config.projectionsPath,
            rules,
            homes: config.homes,
            timeoutMs: config.LEDGER_QUERY_SECONDS * 1000,
            maxWaiting: MAX_WAITING_QUERIES,
            clock,
            position,
          })
        : new ReadModelQueries({ db: readSide.db, rules, position }, this.complaints, { homes: config.homes }, clock);
    this.answers = answers;
    this.readModels = servable ? servedWhile(answers, servable) : answers;
  }

  /**
   * Waits until the read models have applied the log up to `position` (a command's own, to read
   * one's write), at most a few seconds; ReadModelsBehind if they have not. Nothing to wait for
   * without a position.
   */
  async caughtUpTo(position: number | undefined, timeoutMs = CATCH_UP_MS): Promise<void> {
    if (position === undefined) return;
    const started = Date.now();
    while (this.position() < position) {
      if (Date.now() - started >= timeoutMs) throw new ReadModelsBehind(position, this.position());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    if (this.answers instanceof QueryThread) await this.answers.close();
  }
}

/**
 * The read models' answers, each refused (ReadModelsRepairing) while `servable` throws: while the
 * read models are known to disagree with the log, the list, breaches, TSM and the annual report are
 * not served from them (decision 0023), now or at a point in time (their history is theirs too).
 */
function servedWhile(answers: ReadModelAnswers, servable: () => void): ReadModelAnswers {
  return {
    list: async (...args) => (servable(), answers.list(...args)),
    breaches: async (...args) => (servable(), answers.breaches(...args)),
    tsm: async (...args) => (servable(), answers.tsm(...args)),
    annualReport: async (...args) => (servable(), answers.annualReport(...args)),
    reportingYears: () => answers.reportingYears(),
    latestReportingYearWithData: () => answers.latestReportingYearWithData(),
  };
}
