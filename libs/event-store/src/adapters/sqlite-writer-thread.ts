import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { StoreUnavailable } from '../port';
import { startThread } from '../worker-thread';
import type { AppendRequest, Outcome } from './sqlite-appender';
import { decodeError, decodeOutcome, type CommitReply } from './sqlite-writer-protocol';

/**
 * The store's writer thread (sqlite-writer.ts), seen from the store's thread: `commit` sends a
 * batch and resolves with its outcomes once the writer has committed and fsynced it. The fsync and
 * the inserts then no longer hold up the thread that serves HTTP. If the thread dies, the batches
 * in flight fail with StoreUnavailable (their outcome unknown to the client, as with any 503; a
 * retry with the same Idempotency-Key settles it) and the next batch starts a new thread.
 */
export class WriterThread {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, { resolve: (outcomes: Outcome[]) => void; reject: (error: unknown) => void }>();
  private nextId = 0;

  constructor(private readonly path: string) {}

  commit(batch: readonly AppendRequest[], recordedAt: string): Promise<Outcome[]> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.inFlight.size) worker.ref(); // an answer is awaited: the process waits for it
      this.inFlight.set(id, { resolve, reject });
      // only what the writer needs: the store's pending appends also carry their promises' callbacks
      const requests = batch.map(({ streamId, events, expected }): AppendRequest => ({ streamId, events, expected }));
      worker.postMessage({ id, batch: requests, recordedAt });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = startWriter(this.path);
    worker.on('message', (reply: CommitReply) => {
      const waiting = this.inFlight.get(reply.id);
      if (!waiting) return;
      this.inFlight.delete(reply.id);
      if (!this.inFlight.size) worker.unref(); // idle: an open store does not keep the process alive, as before
      if ('outcomes' in reply) waiting.resolve(reply.outcomes.map(decodeOutcome));
      else waiting.reject(decodeError(reply.failure));
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the writer thread stopped (exit code ${code})`)));
    worker.unref();
    return (this.worker = worker);
  }

  private lost(worker: Worker, error: unknown): void {
    if (this.worker === worker) this.worker = null;
    const unavailable = new StoreUnavailable(`the event store's writer thread failed: ${(error as Error).message}`, error);
    for (const { reject } of this.inFlight.values()) reject(unavailable);
    this.inFlight.clear();
  }
}

function startWriter(path: string): Worker {
  // a memory bound of its own: it holds one batch at a time and a bounded map of stream keys
  return startThread(join(__dirname, 'sqlite-writer'), {
    workerData: { role: 'sqlite-writer', path },
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
  });
}
