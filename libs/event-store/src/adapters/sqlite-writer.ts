import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openLogConnection, SqliteAppender, StreamKeys } from './sqlite-appender';
import { encodeError, encodeOutcome, type CommitReply, type CommitRequest } from './sqlite-writer-protocol';

/**
 * The writer thread's side (started by WriterThread in sqlite-writer-thread.ts): its own
 * connection to the log, the same write path as the store's own, one batch at a time. Only the
 * batch's outcomes go back; the store's thread does everything else.
 */
function serve(path: string): void {
  const appender = new SqliteAppender(openLogConnection(path), new StreamKeys());
  parentPort!.on('message', ({ id, batch, recordedAt }: CommitRequest) => {
    let reply: CommitReply;
    try {
      reply = { id, outcomes: appender.commit(batch, () => recordedAt).map(encodeOutcome) };
    } catch (error) {
      reply = { id, failure: encodeError(error) };
    }
    parentPort!.postMessage(reply);
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'sqlite-writer') serve((workerData as { path: string }).path);
