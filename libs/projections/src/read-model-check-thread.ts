import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import { startThread } from '@complaint-ledger/event-store';
import { join } from 'node:path';
import { rulesAsData, type RulesAsData } from './projections-thread-protocol';
import { removeCheckScratch, type ReadModelComparison } from './read-model-check';

/** Where the check runs when it has a thread of its own: the files it opens there. */
export interface ReadModelCheckThreadOptions {
  /** The SQLite event log, read on a connection of the thread's own. */
  readonly logPath: string;
  /** The live read models' file, read (never written) on a connection of the thread's own. */
  readonly projectionsPath: string;
  readonly scratchPath: string;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
}

/** What the check thread is started with: plain data (a calendar travels as its options). */
export interface ReadModelCheckThreadData extends Omit<ReadModelCheckThreadOptions, 'rules'> {
  readonly role: 'read-model-check';
  readonly rules: RulesAsData;
}

export type FromReadModelCheckThread = { readonly found: ReadModelComparison } | { readonly failure: string };

/**
 * Runs one check of the read models against the log (compareReadModelsWithTheLog) on a thread
 * started for it and gone after (read-model-check-worker.ts). Replaying the whole log into a
 * scratch copy is the heaviest thing the service does after a start; on the thread that serves
 * HTTP it held every request behind it for as long as it ran (issue 35's profile: GET a complaint
 * at 10,000 complaints went from 9 ms to 122 ms at the median). The thread has its own
 * connections and a memory bound of its own, and exists only while a check runs. `signal` abandons
 * it: the thread is stopped where it stands (at a million complaints a check runs for minutes, and
 * a service told to stop must not wait for it) and its scratch copy removed.
 */
export function checkReadModelsOnAThread(options: ReadModelCheckThreadOptions, signal?: AbortSignal): Promise<ReadModelComparison> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const { rules, ...files } = options;
  const workerData: ReadModelCheckThreadData = {
    role: 'read-model-check',
    ...files,
    rules: rulesAsData(rules),
  };
  const worker = startThread(join(__dirname, 'read-model-check-worker'), {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    aliases: true,
  });
  const abandon = () => void worker.terminate();
  signal?.addEventListener('abort', abandon, { once: true });
  return new Promise<ReadModelComparison>((resolve, reject) => {
    let answer: FromReadModelCheckThread | null = null;
    worker.on('message', (message: FromReadModelCheckThread) => (answer = message));
    worker.on('error', (error) => (answer ??= { failure: error.message }));
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abandon);
      if (answer && 'found' in answer) return resolve(answer.found);
      if (signal?.aborted) {
        removeCheckScratch(options.scratchPath); // the thread was stopped before its own clean-up
        return reject(signal.reason as Error);
      }
      reject(new Error(answer?.failure ?? `the read-model check's thread stopped (exit code ${code})`));
    });
  });
}
