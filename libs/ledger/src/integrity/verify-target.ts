import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventStoreDbEventStore,
  isEventStoreConnectionString,
  openLogReadOnly,
  type EventKeyRing,
  type RecordedEvent,
} from '@complaint-ledger/event-store';
import { compareReadModelsWithTheLog, type ReadModelComparison } from '@complaint-ledger/projections';
import type { LedgerConfig } from '../config/ledger-config';
import { complianceRulesFrom } from '../open/read-side';
import type { Checkpoint } from '@complaint-ledger/domain';
import type { KeyFileAudit } from '@complaint-ledger/privacy';
import type { CheckpointVerifyingKey } from './checkpoint-key';
import { KeyStoreCheck } from './key-store-check';
import { verifyKeyStreams, type KeyStreamsChecked } from './key-streams-check';
import { verifyLedger, type LedgerVerdict } from './verify-ledger';
import { verifyDocuments, type DocumentsVerdict } from '../evidence/documents/verify-documents';

/** Whether `target` names a server (`esdb://`, `kurrentdb://`, … as the clients take them) rather than a log file. */
export { isEventStoreConnectionString };

export interface StoredLedgerChecks {
  readonly key: CheckpointVerifyingKey | null;
  readonly witnessed: readonly Checkpoint[];
  /** A copy taken before the witness's latest checkpoints: only those it holds are asked of it. */
  readonly witnessMayRunAhead?: boolean;
  readonly eventKeys?: EventKeyRing | null;
  /** The residents' key file, read-only: every data key an event names is checked against it (decision 0023). */
  readonly keyFile?: KeyFileAudit | null;
  /** With the keys in EventStoreDB: their wraps are opened with it (without, only their streams and bindings are checked). */
  readonly masterKey?: Buffer | null;
}

/** The log's verdict; with EventStoreDB, with what was found of the residents' keys kept there (decision 0028). */
export type StoredLedgerVerdict = LedgerVerdict & { readonly keyStreams?: KeyStreamsChecked };

/**
 * Verifies a ledger where it is kept, without writing to it: an EventStoreDB (`esdb://…`) or a
 * SQLite log file (a copy of a backup, or the live file, read-only). What `npm run verify` runs.
 */
export async function verifyStoredLedger(target: string, options: StoredLedgerChecks): Promise<StoredLedgerVerdict> {
  const withReader = (log: {
    readAll(after: number, limit: number): Promise<RecordedEvent[]>;
    readStream(id: string): Promise<RecordedEvent[]>;
  }) => {
    const readStream = (streamId: string) => log.readStream(streamId);
    const keyFile = options.keyFile ? new KeyStoreCheck(options.keyFile, readStream) : null;
    return verifyLedger((after, limit) => log.readAll(after, limit), {
      ...options,
      readStream,
      ...(keyFile ? { inspect: (event: RecordedEvent) => keyFile.check(event) } : {}),
    });
  };
  if (isEventStoreConnectionString(target)) {
    const store = EventStoreDbEventStore.connect(target);
    try {
      const verdict = await withReader(store);
      if (!verdict.valid) return verdict; // the first break is the one named
      const keyStreams = await verifyKeyStreams(store, {
        eventKeys: options.eventKeys ?? null,
        authenticatedFrom: verdict.authentication.from,
        masterKey: options.masterKey ?? null,
      });
      return { ...verdict, ...(keyStreams.break ? { valid: false, break: keyStreams.break } : {}), keyStreams };
    } finally {
      await store.close();
    }
  }
  const log = openLogReadOnly(target);
  try {
    return await withReader(log);
  } finally {
    log.close();
  }
}

/** The residents' key file, read-only, for `npm run verify`. */
export { openKeyFileAudit } from '@complaint-ledger/privacy';

/**
 * The read models kept beside a stopped (or running) ledger compared with the log, read-only: the
 * scratch rebuild goes to a temporary folder, never the folder checked. The calendar and
 * timescales come from `config` (the service's settings): read models built under others differ.
 */
export async function compareStoredReadModels(
  logPath: string,
  projectionsPath: string,
  config: LedgerConfig,
): Promise<ReadModelComparison> {
  const log = openLogReadOnly(logPath);
  const live = new Database(projectionsPath, { readonly: true, fileMustExist: true });
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
  try {
    return await compareReadModelsWithTheLog({
      readAll: (after, limit) => log.readAll(after, limit),
      live,
      rules: complianceRulesFrom(config),
      alerts: config.alertSettings,
      scratchPath: join(scratch, 'read-models.sqlite'),
    });
  } finally {
    live.close();
    log.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every document the stored log records, against the documents folder (read-only; no key needed). */
export async function verifyStoredDocuments(target: string, folder: string): Promise<DocumentsVerdict> {
  if (isEventStoreConnectionString(target)) {
    const store = EventStoreDbEventStore.connect(target);
    try {
      return await verifyDocuments((after, limit) => store.readAll(after, limit), folder);
    } finally {
      await store.close();
    }
  }
  const log = openLogReadOnly(target);
  try {
    return await verifyDocuments((after, limit) => log.readAll(after, limit), folder);
  } finally {
    log.close();
  }
}
