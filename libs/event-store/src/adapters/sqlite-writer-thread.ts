import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { OutcomeUnknown } from '../port';
import { startThread } from '../worker-thread';
import type { AppendRequest, Outcome } from './sqlite-appender';
import { decodeError, decodeOutcome, type CommitReply, type CommitRequest, type ProbeRequest } from './sqlite-writer-protocol';

interface Running {
  readonly worker: Worker;
  /** The writer answers here, on a port of its own, so that `collectReplies` can read it synchronously. */
  readonly replies: MessagePort;
}

/**
 * The store's writer thread (sqlite-writer.ts), seen from the store's thread: `commit` sends a
 * batch and resolves with its outcomes once the writer has committed and fsynced it. The fsync and
 * the inserts then no longer hold up the thread that serves HTTP. If the thread dies, the batches
 * in flight fail with OutcomeUnknown (they may have committed just before; a retry the ledger
 * recognises settles it) and the next batch starts a new thread.
 */
export class WriterThread {
  private running: Running | null = null;
  private readonly inFlight = new Map<number, { resolve: (outcomes: Outcome[]) => void; reject: (error: unknown) => void }>();
  private readonly probes = new Map<number, (dataVersion: number | null) => void>();
  private nextId = 0;

  constructor(
    private readonly path: string,
    /** The event key's secret, for the writer to authenticate what it seals (it crosses to the thread once, at its start). */
    private readonly eventKey: Buffer | null = null,
  ) {}

  commit(batch: readonly AppendRequest[], recordedAt: string, syncFirst: number | null): Promise<Outcome[]> {
    const { worker } = this.running ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.inFlight.size) this.awaiting(true);
      this.inFlight.set(id, { resolve, reject });
      // only what the writer needs: the store's pending appends also carry their promises' callbacks
      const requests = batch.map(({ streamId, events, expected }): AppendRequest => ({ streamId, events, expected }));
      const request: CommitRequest = { id, batch: requests, recordedAt, syncFirst };
      worker.postMessage(request);
    });
  }

  /**
   * The writer connection's `PRAGMA data_version`: it moves only when a connection other than the
   * writer's commits to the log (SqliteEventStore.outsideWrites). Null when the thread stopped first.
   */
  dataVersion(): Promise<number | null> {
    const { worker } = this.running ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.probes.set(id, resolve);
      worker.postMessage({ id, probe: true } satisfies ProbeRequest);
    });
  }

  /**
   * Takes the writer's answers that have arrived, now, rather than when the event loop next gets to
   * them. Under load the thread serving requests runs many requests per turn of its loop, and an
   * answer waited ~1 ms (p50; ~3 ms p90) behind them, while the batch's clients could not send
   * their next commands; the store calls this as each command reaches it (docs/performance.md).
   */
  collectReplies(): void {
    const running = this.running;
    while (running && this.inFlight.size) {
      const received = receiveMessageOnPort(running.replies);
      if (!received) return;
      this.answered(received.message as CommitReply);
    }
  }

  async close(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.stopped(running, new OutcomeUnknown('the event store was closed with a batch still being committed'));
    await running.worker.terminate();
  }

  private start(): Running {
    const { port1: replies, port2: writerSide } = new MessageChannel();
    const worker = startWriter(this.path, writerSide, this.eventKey);
    const running = (this.running = { worker, replies });
    replies.on('message', (reply: CommitReply) => this.answered(reply));
    worker.on('error', (error) => this.lost(running, error));
    worker.on('exit', (code) => this.lost(running, new Error(`the writer thread stopped (exit code ${code})`)));
    // idle, an open store does not keep the process alive, as before
    worker.unref();
    replies.unref();
    return running;
  }

  private answered(reply: CommitReply): void {
    if ('dataVersion' in reply) {
      this.probes.get(reply.id)?.(reply.dataVersion);
      this.probes.delete(reply.id);
      return;
    }
    const waiting = this.inFlight.get(reply.id);
    if (!waiting) return;
    this.inFlight.delete(reply.id);
    if (!this.inFlight.size) this.awaiting(false);
    if ('outcomes' in reply) waiting.resolve(reply.outcomes.map(decodeOutcome));
    else waiting.reject(decodeError(reply.failure));
  }

  /** While an answer is awaited the process waits for it (and hears if the thread dies). */
  private awaiting(yes: boolean): void {
    const running = this.running;
    if (!running) return;
    for (const handle of [running.worker, running.replies]) {
      if (yes) handle.ref();
      else handle.unref();
    }
  }

  private lost(running: Running, error: unknown): void {
    if (this.running !== running) return; // told already ('error' comes before 'exit'), or closed
    this.stopped(running, new OutcomeUnknown(`the event store's writer thread failed: ${(error as Error).message}`, error));
  }

  /** The batches in flight fail: whether they were committed is unknown to their clients. */
  private stopped(running: Running, unavailable: OutcomeUnknown): void {
    this.running = null;
    running.replies.close();
    for (const { reject } of this.inFlight.values()) reject(unavailable);
    this.inFlight.clear();
    for (const resolve of this.probes.values()) resolve(null);
    this.probes.clear();
  }
}

function startWriter(path: string, replies: MessagePort, eventKey: Buffer | null): Worker {
  // a memory bound of its own: it holds one batch at a time and a bounded map of stream keys
  return startThread(join(__dirname, 'sqlite-writer'), {
    workerData: { role: 'sqlite-writer', path, replies, eventKey: eventKey ? new Uint8Array(eventKey) : null },
    transferList: [replies],
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
  });
}
