import { EventStoreDbEventStore, openLogReadOnly } from '@complaint-ledger/event-store';
import type { Checkpoint } from '@complaint-ledger/domain';
import type { CheckpointVerifyingKey } from './checkpoint-key';
import { verifyLedger, type LedgerVerdict } from './verify-ledger';
import { verifyDocuments, type DocumentsVerdict } from '../evidence/documents/verify-documents';

/**
 * Verifies a ledger where it is kept, without writing to it: an EventStoreDB (`esdb://…`) or a
 * SQLite log file (a copy of a backup, or the live file, read-only). What `npm run verify` runs.
 */
export async function verifyStoredLedger(
  target: string,
  options: { readonly key: CheckpointVerifyingKey | null; readonly witnessed: readonly Checkpoint[] },
): Promise<LedgerVerdict> {
  if (target.startsWith('esdb://') || target.startsWith('esdb+discover://')) {
    const store = EventStoreDbEventStore.connect(target);
    try {
      return await verifyLedger((after, limit) => store.readAll(after, limit), options);
    } finally {
      await store.close();
    }
  }
  const log = openLogReadOnly(target);
  try {
    return await verifyLedger((after, limit) => log.readAll(after, limit), options);
  } finally {
    log.close();
  }
}

/** Every document the stored log records, against the documents folder (read-only; no key needed). */
export async function verifyStoredDocuments(target: string, folder: string): Promise<DocumentsVerdict> {
  if (target.startsWith('esdb://') || target.startsWith('esdb+discover://')) {
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
