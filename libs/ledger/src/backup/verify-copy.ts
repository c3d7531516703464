import { masterKeyId, masterKeyRecordedIn, openKeyFileAudit } from '@complaint-ledger/privacy';
import { existsSync } from 'node:fs';
import type { LedgerConfig } from '../config/ledger-config';
import { CheckpointVerifyingKey } from '../integrity/checkpoint-key';
import { readWitness } from '../integrity/ledger-integrity';
import { verifyStoredDocuments, verifyStoredLedger } from '../integrity/verify-target';
import { eventKeysFrom } from '../open/event-store';
import { masterKeyFrom } from '../open/personal-data';

/** A copy's files: the log, and beside it (when the copy holds them) the residents' key file and the documents folder. */
export interface CopiedFiles {
  readonly log: string;
  readonly keys: string | null;
  readonly documents: string | null;
}

/** The copied log's verification, as a backup's manifest records it. */
export interface CopiedLog {
  readonly events: number;
  readonly lastPosition: number;
  readonly ledgerHead: string;
  readonly intact: boolean;
  readonly signaturesChecked: boolean;
  /** The events' MACs checked with the configured event keys (absent from backups made before they were). */
  readonly macsChecked?: boolean;
  /** Every data key an event names checked against the copied key file with the configured master key. */
  readonly keysChecked?: boolean;
  /** Every document the log records checked against the copied documents folder. */
  readonly documentsChecked?: boolean;
}

export interface CopyVerdict {
  readonly log: CopiedLog;
  /** The first thing found that makes the copy not the ledger's (or not this configuration's), else null. */
  readonly problem: string | null;
}

/**
 * A copy of the ledger's files checked as `npm run verify` checks a data folder, with the keys the
 * configuration names (never any inside the copy): every hash, chain and signed checkpoint, the
 * events' MACs (LEDGER_EVENT_KEY_FILE), every data key an event names against the copied key file
 * (the master key), every document the log records against the copied documents. A backup's own
 * SHA-256s are in its manifest, which whoever edits the file recomputes: this is what tells an
 * edited backup from the ledger's. Witnessed checkpoints later than the copy are not asked of it.
 */
export async function verifyCopy(
  files: CopiedFiles,
  config: LedgerConfig,
  witness: string | null = config.LEDGER_CHECKPOINT_WITNESS_FILE ?? null,
): Promise<CopyVerdict> {
  const key = config.LEDGER_SIGNING_KEY_FILE ? CheckpointVerifyingKey.fromFile(config.LEDGER_SIGNING_KEY_FILE) : null;
  const witnessed = witness && existsSync(witness) ? readWitness(witness) : [];
  const eventKeys = eventKeysFrom(config);
  const masterKey = configuredMasterKey(config);
  const keyFile = files.keys && existsSync(files.keys) ? files.keys : null;
  const recorded = keyFile && masterKey ? masterKeyRecordedIn(keyFile) : undefined;
  const otherMasterKey = recorded !== undefined && recorded !== masterKeyId(masterKey!) ? recorded : null;
  const audit = keyFile && masterKey && !otherMasterKey ? openKeyFileAudit(keyFile, masterKey) : null;
  let verdict;
  try {
    verdict = await verifyStoredLedger(files.log, { key, witnessed, witnessMayRunAhead: true, eventKeys, keyFile: audit?.audit ?? null });
  } finally {
    audit?.close();
  }
  const documents =
    verdict.valid && files.documents && existsSync(files.documents) ? await verifyStoredDocuments(files.log, files.documents) : null;
  const log: CopiedLog = {
    events: verdict.head.events,
    lastPosition: verdict.head.position,
    ledgerHead: verdict.head.head,
    intact: verdict.valid && !documents?.problems.length,
    signaturesChecked: key !== null,
    macsChecked: eventKeys !== null,
    keysChecked: audit !== null,
    documentsChecked: documents !== null,
  };
  const broken = verdict.break;
  const document = documents?.problems[0];
  const problem = otherMasterKey
    ? `the copied key file is wrapped under master key ${otherMasterKey}, not the configured one (${masterKeyId(masterKey!)}): residents' personal data would read as erased`
    : broken
      ? `${broken.kind} at position ${broken.position}: ${broken.detail}`
      : document
        ? `${document.problem}: document ${document.documentId} (${document.streamId}, revision ${document.revision}): ${document.detail}`
        : null;
  return { log, problem };
}

function configuredMasterKey(config: LedgerConfig): Buffer | null {
  try {
    return masterKeyFrom(config);
  } catch {
    return null; // none configured: the key file is not checked, and the restore says so
  }
}
