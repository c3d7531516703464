import { boundPageCache, runBelowCommands, SqliteEventStore } from '@complaint-ledger/event-store';
import Database from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { compareReadModelsWithTheLog, readModelsReach } from './read-model-check';
import { rulesFromData } from './projections-thread-protocol';
import type { FromReadModelCheckThread, ReadModelCheckThreadData } from './read-model-check-thread';

/**
 * The check thread's side (started by checkReadModelsOnAThread): the log and the live read models
 * opened read-only, the scratch rebuild written to its own file, one comparison, one answer, and
 * the thread ends. The live read models are followed through their file: the projections thread
 * writes them meanwhile, and the comparison waits for it to reach the scratch's position.
 */
async function check(data: ReadModelCheckThreadData): Promise<FromReadModelCheckThread> {
  runBelowCommands(); // minutes of replay at a million complaints: the commands' threads go first
  let store: SqliteEventStore | undefined;
  let live: Database.Database | undefined;
  try {
    store = new SqliteEventStore(data.logPath, undefined, { readOnly: true });
    live = new Database(data.projectionsPath, { readonly: true, fileMustExist: true });
    boundPageCache(live);
    const [log, readModels] = [store, live];
    const found = await compareReadModelsWithTheLog({
      readAll: (after, limit) => log.readAll(after, limit),
      live: readModels,
      rules: rulesFromData(data.rules),
      alerts: data.alerts,
      scratchPath: data.scratchPath,
      running: true,
      waitFor: (position) => readModelsReach(readModels, position),
      // the scratch rebuild's parsed documents, as the projections thread keeps them: a bounded heap
      cachedDocuments: 2_000,
    });
    return { found };
  } catch (error) {
    return { failure: (error as Error).message ?? String(error) };
  } finally {
    live?.close();
    await store?.close();
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'read-model-check')
  void check(workerData as ReadModelCheckThreadData).then((answer) => parentPort!.postMessage(answer));
