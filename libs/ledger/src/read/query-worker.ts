import { boundPageCache, runBelowCommands, SqliteEventStore } from '@complaint-ledger/event-store';
import { rulesFromData, type HomesByYear } from '@complaint-ledger/projections';
import Database from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ComplaintReads } from './complaint-reads';
import type { QueryReply, QueryRequest, QueryThreadData } from './query-thread';
import { ReadModelQueries } from './read-model-queries';

/**
 * The query thread's side (started by QueryThread): read-only connections of its own to the read
 * models and the log, and the same queries the service would otherwise run on its own thread, one
 * at a time, each judged at the asking thread's "now".
 */
function serve(data: QueryThreadData): void {
  const port = parentPort!;
  runBelowCommands(); // a long query waits for the CPU rather than the commands
  let now = new Date().toISOString();
  let position = -1;
  const clock = () => now;
  const db = new Database(data.projectionsPath, { readonly: true, fileMustExist: true });
  boundPageCache(db);
  const store = new SqliteEventStore(data.logPath, clock, { readOnly: true });
  const rules = rulesFromData(data.rules);
  const readModels = { db, rules, position: () => position };
  const queries = new ReadModelQueries(readModels, new ComplaintReads(store, rules, clock), { homes: data.homes as HomesByYear }, clock);
  let queue = Promise.resolve();
  port.on('message', (request: QueryRequest) => {
    queue = queue.then(async () => {
      now = request.now;
      position = request.position;
      let reply: QueryReply;
      try {
        const answer = await (queries[request.method] as (...args: readonly unknown[]) => Promise<unknown>)(...request.args);
        reply = { id: request.id, answer };
      } catch (error) {
        const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
        reply = { id: request.id, failure: { name, message } };
      }
      port.postMessage(reply);
    });
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'queries') serve(workerData as QueryThreadData);
