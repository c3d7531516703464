import { rulesAsData, type AlertFilter, type ComplaintFilter, type PointInTime, type RulesAsData } from '@complaint-ledger/projections';
import { startThread } from '@complaint-ledger/event-store';
import type { ComplianceRules } from '@complaint-ledger/domain';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Clock } from '../clock';
import { InvalidCursor, QueryBusy, QueryTimedOut } from './errors';
import type { PageRequest, ReadModelAnswers } from './read-model-queries';
import type { AnnualReportBody, BreachesPage, ComplaintListPage, TsmStatistics } from './results';

/** What the query thread is started with: plain data (the rules as `rulesAsData` sends them). */
export interface QueryThreadData {
  readonly role: 'queries';
  readonly logPath: string;
  readonly projectionsPath: string;
  readonly rules: RulesAsData;
  readonly homes: unknown;
}

export type QueryMethod = keyof ReadModelAnswers;

export interface QueryRequest {
  readonly id: number;
  readonly method: QueryMethod;
  readonly args: readonly unknown[];
  /** The asking thread's clock, so the answer is judged at the same "now" as the rest of the request. */
  readonly now: string;
  /** How far the read models had got when it was asked: a live answer's data is at least that far into the log. */
  readonly position: number;
}

export type QueryReply =
  | { readonly id: number; readonly answer: unknown }
  | { readonly id: number; readonly failure: { readonly name: string; readonly message: string } };

interface Pending {
  readonly resolve: (answer: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface QueryThreadOptions extends Omit<QueryThreadData, 'role' | 'rules'> {
  readonly rules: ComplianceRules;
  /** The longest a query may take before it is abandoned (the thread is restarted, the client told 503). */
  readonly timeoutMs: number;
  /** Queries waiting at most; more are refused at once (503) rather than queued without bound. */
  readonly maxWaiting: number;
  readonly clock: Clock;
  /** How far the read models have got (the projections thread's report): a live answer's `asOfPosition`. */
  readonly position: () => number;
}

/**
 * The read-model queries on a thread of their own (query-worker.ts), with their own read-only
 * connections to the read models and the log: a query that reads a large part of a million
 * complaints (the annual report, a filter that matches little, a point in time) takes the query
 * thread's time, not the time of the thread that takes commands. Each query has a time budget:
 * past it the client is told so (503 `QUERY.TIMEOUT`) and the thread, whose SQLite statement
 * cannot be interrupted, is replaced; queries waiting beyond `maxWaiting` are refused (503
 * `QUERY.BUSY`). A live answer's `asOfPosition` is where the read models stood when it was asked:
 * its data is at least that far into the log.
 */
export class QueryThread implements ReadModelAnswers {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly options: QueryThreadOptions) {}

  list(filter: ComplaintFilter, page: PageRequest, at: PointInTime): Promise<ComplaintListPage> {
    return this.ask('list', [filter, page, at]);
  }

  breaches(filter: Omit<AlertFilter, keyof PointInTime>, page: PageRequest, at: PointInTime): Promise<BreachesPage> {
    return this.ask('breaches', [filter, page, at]);
  }

  tsm(year: number, at: PointInTime): Promise<TsmStatistics> {
    return this.ask('tsm', [year, at]);
  }

  annualReport(year: number, at: PointInTime): Promise<AnnualReportBody> {
    return this.ask('annualReport', [year, at]);
  }

  reportingYears(): Promise<number[]> {
    return this.ask('reportingYears', []);
  }

  latestReportingYearWithData(): Promise<number | null> {
    return this.ask('latestReportingYearWithData', []);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new QueryTimedOut('the service is stopping'));
    await worker?.terminate();
  }

  private ask<T>(method: QueryMethod, args: readonly unknown[]): Promise<T> {
    if (this.pending.size >= this.options.maxWaiting) return Promise.reject(new QueryBusy(this.pending.size));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(method), this.options.timeoutMs);
      this.pending.set(id, { resolve: resolve as (answer: unknown) => void, reject, timer });
      worker.ref();
      worker.postMessage({ id, method, args, now: this.options.clock(), position: this.options.position() } satisfies QueryRequest);
    });
  }

  private start(): Worker {
    const { timeoutMs: _t, maxWaiting: _m, clock: _c, position: _p, rules, ...data } = this.options;
    const worker = startThread(join(__dirname, 'query-worker'), {
      workerData: { role: 'queries', ...data, rules: rulesAsData(rules) } satisfies QueryThreadData,
      // a page of complaints and the report's tallies at a time: bounded whatever the ledger's size
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
      aliases: true,
    });
    this.worker = worker;
    worker.on('message', (reply: QueryReply) => this.answered(worker, reply));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the query thread stopped (exit code ${code})`)));
    worker.unref();
    return worker;
  }

  private answered(worker: Worker, reply: QueryReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (!this.pending.size) worker.unref();
    if ('answer' in reply) pending.resolve(reply.answer);
    else pending.reject(decoded(reply.failure));
  }

  /** Past its budget: the client is told, and the thread (busy in a statement nothing can interrupt) replaced. */
  private timedOut(method: QueryMethod): void {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new QueryTimedOut(`${method} took longer than ${this.options.timeoutMs / 1000} s`));
    void worker?.terminate();
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(new QueryTimedOut(`the query thread failed: ${error.message}`));
  }

  private failAll(error: Error): void {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }
}

/** The core's own errors cross back as themselves (a client's mistake stays a 400); anything else as an error. */
function decoded(failure: { readonly name: string; readonly message: string }): Error {
  if (failure.name === 'InvalidCursor') return new InvalidCursor();
  return Object.assign(new Error(failure.message), { name: failure.name });
}
