import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@complaint-ledger/event-store';
import { DocumentCipher } from '@complaint-ledger/privacy';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { FolderDocumentStore } from '../evidence/documents/document-store';
import { Documents } from '../evidence/documents/documents';
import { LogTree } from '../evidence/log-tree';
import { EvidencePacks } from '../evidence/pack/evidence-pack';
import { LedgerProofs } from '../evidence/proofs';
import type { LedgerIntegrity } from '../integrity/ledger-integrity';
import type { ComplaintReads } from '../read/complaint-reads';
import type { WritePath } from '../write/write-path';
import type { PersonalData } from './personal-data';

/** Documents, proofs and evidence packs, wired from configuration; documents and packs need the master key. */
export interface Evidence {
  readonly store: FolderDocumentStore;
  readonly tree: LogTree;
  readonly proofs: LedgerProofs;
  /** Null in a process without the master key (a worker): it can neither encrypt nor read documents. */
  readonly documents: Documents | null;
  readonly packs: EvidencePacks | null;
  connect(complaints: ComplaintReads): void;
  close(): void;
}

export function openEvidence(
  config: LedgerConfig,
  store: EventStore,
  write: WritePath,
  integrity: LedgerIntegrity,
  personalData: PersonalData | null,
  clock: Clock,
): Evidence {
  const documentStore = new FolderDocumentStore(config.documentsPath ?? mkdtempSync(join(tmpdir(), 'ledger-documents-')));
  const tree = new LogTree(config.merklePath, (after, limit) => store.readAll(after, limit));
  const proofs = new LedgerProofs(store, tree, () => integrity.tick(true));
  const documents = personalData
    ? new Documents(documentStore, new DocumentCipher(personalData.keys, clock), write, store, config.LEDGER_DOCUMENT_MAX_MB * 1024 * 1024)
    : null;
  const evidence = {
    store: documentStore,
    tree,
    proofs,
    documents,
    packs: null as EvidencePacks | null,
    connect(complaints: ComplaintReads) {
      if (!personalData || !documents) return;
      const landlord = config.LEDGER_LANDLORD_NAME ?? 'The landlord (LEDGER_LANDLORD_NAME is not set)';
      evidence.packs = new EvidencePacks(store, complaints, documents, proofs, personalData.cipher, integrity.publicKey, landlord, clock);
    },
    close: () => tree.close(),
  };
  return evidence;
}
