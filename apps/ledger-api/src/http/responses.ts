import type {
  AnnualReportBody as AnnualReport,
  BreachesPage as Breaches,
  ChainVerdict as Chain,
  ComplaintExport as Export,
  ComplaintHistory as History,
  ComplaintListPage as ListPage,
  ComplaintView as View,
  Consistency,
  DocumentRecordBody,
  ErasureOutcome,
  ImportStatus,
  LedgerVerdict,
  ReadModelCheck,
  Readiness,
  TsmStatistics as Tsm,
} from '@complaint-ledger/ledger';

/**
 * What the API's queries answer, named: the controllers are typed by these, and the OpenAPI
 * document's response schemas are generated from them (tools/contracts/response-schemas.ts), so
 * the documented body and the one sent cannot differ without the compiler or a test saying so.
 * Most are the core's own query results (libs/ledger/src/read/results.ts).
 */

/** A complaint with its deadlines and findings, now or at a point in time. */
export type ComplaintView = View;

export type ComplaintHistory = History;

export type ComplaintExport = Export;

/** The complaint's chain verified, or the first revision that cannot even be read. */
export type ChainVerdict = Chain;

export type ComplaintListPage = ListPage;

export type BreachesPage = Breaches;

export type TsmStatistics = Tsm;

export type AnnualReportBody = AnnualReport;

export type LedgerIntegrityBody = LedgerVerdict & {
  readonly publicKeyId: string | null;
  /** The read models checked against the log just now: what disagreed is named, and rebuilt. */
  readonly readModels: ReadModelCheck;
};

export interface CheckpointKey {
  readonly algorithm: 'Ed25519';
  readonly keyId: string;
  readonly publicKey: string;
  readonly statement: string;
}

export type ErasureBody = ErasureOutcome;

export type ReadinessBody = Readiness['body'];

/** Two signed tree heads and the consistency proof between them (decision 0024). */
export type LedgerConsistency = Consistency;

/** The documents on a complaint's record. */
export interface ComplaintDocuments {
  readonly id: string;
  readonly documents: readonly DocumentRecordBody[];
}

/** A document attached: the complaint and its revision (the ETag), and what the ledger found the document to be. */
export interface AttachedDocument {
  readonly id: string;
  readonly revision: number;
  readonly documentId: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly mediaType: string;
}

/** An import begun (or resumed): its id, and where its progress is. */
export interface ImportAccepted {
  readonly id: string;
  /** GET it for the progress, and the report once it has ended. */
  readonly status: string;
  /** True when this file (with this mapping) had been begun before and interrupted: the import goes on from where it stopped. */
  readonly resumed: boolean;
}

/** An import's progress, or how it ended and where its report is. */
export type ImportStatusBody = ImportStatus & {
  readonly reports?: { readonly html: string; readonly csv: string; readonly breaches: string };
};

export interface MappingSaved {
  readonly name: string;
  /** Where to upload files that it maps. */
  readonly uploads: string;
}
