import type {
  AnnualReportBody as AnnualReport,
  BreachesPage as Breaches,
  ChainVerdict as Chain,
  ComplaintExport as Export,
  ComplaintHistory as History,
  ComplaintListPage as ListPage,
  ComplaintView as View,
  ErasureOutcome,
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
