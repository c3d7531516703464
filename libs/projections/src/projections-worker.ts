import { SqliteEventStore } from '@complaint-ledger/event-store';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  rulesFromData,
  type FromProjectionsThread,
  type ProjectionsThreadData,
  type ToProjectionsThread,
} from './projections-thread-protocol';
import { readModelProjections } from './read-model-projections';
import { openReadModelDatabase } from './read-model-database';
import { ProjectionRunner } from './runner';

const messageOf = (error: unknown): string | null => (error ? ((error as Error).message ?? String(error)) : null);

/**
 * The projections thread's side (started by ProjectionsThread): its own connections to the log and
 * to the read models, and the same runner the service would otherwise run on its own thread. It
 * reports its position after every batch and answers catch-up, rebuild and stop requests.
 */
function serve(data: ProjectionsThreadData): void {
  const port = parentPort!;
  const post = (message: FromProjectionsThread) => port.postMessage(message);
  const store = new SqliteEventStore(data.logPath, undefined, { readOnly: true });
  const db = openReadModelDatabase(data.projectionsPath);
  const rules = rulesFromData(data.rules);
  const runner = new ProjectionRunner(store, db, readModelProjections(rules, data.alerts), {
    // Live, each batch touches the few complaints just written to: a small cache of parsed
    // documents does, and keeps the thread's heap (and the process's RSS) down. A whole rebuild
    // runs in its own process (`npm run projections:rebuild`) with the runner's default cache.
    cachedDocuments: 2_000,
    onProgress: (position, failure) => post({ type: 'progress', position, failure: messageOf(failure) }),
    onNotice: (message) => post({ type: 'notice', message }),
  });
  const stop = async () => {
    await runner.stop();
    await store.close();
    db.close();
    return runner.position;
  };
  port.on('message', (message: ToProjectionsThread) => {
    if (message.type === 'commit') return store.committedElsewhere();
    const work = message.type === 'catchUp' ? runner.catchUp() : message.type === 'rebuild' ? runner.rebuild() : stop();
    work.then(
      (position) => post({ type: 'done', id: message.id, position }),
      (error: unknown) => post({ type: 'failed', id: message.id, message: messageOf(error) ?? 'failed' }),
    );
  });
  void runner.start().then(() => post({ type: 'started', position: runner.position, failure: messageOf(runner.lastFailure) }));
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'projections') serve(workerData as ProjectionsThreadData);
