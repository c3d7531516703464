import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openLogConnection, SqliteAppender, StreamKeys } from './sqlite-appender';
import { syncDependency } from './sqlite-commit-dependency';
import { eventKeyOf, sealerOf } from '../event-mac';
import { encodeError, encodeOutcome, type CommitReply, type CommitRequest, type ProbeRequest } from './sqlite-writer-protocol';

/**
 * The writer thread's side (started by WriterThread in sqlite-writer-thread.ts): its own
 * connection to the log, the same write path as the store's own, one batch at a time. Only the
 * batch's outcomes go back, on the port the store reads its answers from; the store's thread does
 * everything else.
 */
function serve(path: string, replies: MessagePort, eventKey: Uint8Array | null): void {
  const sealer = eventKey ? sealerOf(eventKeyOf(Buffer.from(eventKey))) : null;
  const db = openLogConnection(path);
  const appender = new SqliteAppender(db, new StreamKeys(), sealer);
  parentPort!.on('message', (message: CommitRequest | ProbeRequest) => {
    if ('probe' in message) {
      replies.postMessage({ id: message.id, dataVersion: db.pragma('data_version', { simple: true }) as number } satisfies CommitReply);
      return;
    }
    const { id, batch, recordedAt, syncFirst } = message;
    let reply: CommitReply;
    try {
      if (syncFirst !== null) syncDependency(syncFirst);
      reply = { id, outcomes: appender.commit(batch, () => recordedAt).map(encodeOutcome) };
    } catch (error) {
      reply = { id, failure: encodeError(error) };
    }
    replies.postMessage(reply);
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'sqlite-writer') {
  const { path, replies, eventKey } = workerData as { path: string; replies: MessagePort; eventKey: Uint8Array | null };
  serve(path, replies, eventKey);
}
