import type {
  CodeVersion,
  ComplaintStatus,
  Deadline,
  DocumentRecord,
  Finding,
  RemedyRecord,
  Stage,
  Tenure,
} from '@complaint-ledger/domain';
import type { IntegrityReport, Provenance } from '@complaint-ledger/event-store';
import type { AlertDocument, AnnualReport, ComplaintSummary, Page, PointInTime, TsmReport } from '@complaint-ledger/projections';

/**
 * What the ledger's queries answer. The API's bodies are these (apps/ledger-api/src/http/responses.ts
 * names them for the OpenAPI document); the console renders them.
 */

/** A complaint with its deadlines and findings, now or at a point in time. */
export interface ComplaintView {
  readonly id: string;
  readonly revision: number;
  /** The instant it is judged at. */
  readonly asOf: string;
  readonly knownAt?: string;
  readonly status: ComplaintStatus;
  readonly stage: Stage;
  readonly codeVersion: CodeVersion;
  readonly receivedAt: string;
  readonly channel: string;
  readonly tenure: Tenure;
  readonly category: string;
  readonly residentReference: string;
  readonly deadlines: Omit<Deadline, 'extensions'>[];
  readonly findings: Finding[];
  readonly remedies: readonly RemedyRecord[];
  readonly outstandingActions: readonly string[];
}

/** One recorded event as an auditor reads it. */
export interface HistoryEvent {
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly schemaVersion: number;
  readonly data: object;
  /** The revisions of the corrections made to this fact. */
  readonly correctedBy?: number[];
  /** For a fact brought in by a bulk import: the import, its file's SHA-256 and the row (docs/import.md). */
  readonly provenance?: Provenance;
  readonly prevHash: string;
  readonly hash: string;
  /** The event key it is authenticated under, and its MAC (absent on events written before events were: decision 0023). */
  readonly macKeyId?: string;
  readonly mac?: string;
}

export interface ComplaintHistory {
  readonly id: string;
  readonly knownAt?: string;
  readonly events: HistoryEvent[];
}

export interface ComplaintExport {
  readonly exportedAt: string;
  readonly knownAt?: string;
  readonly complaint: ComplaintView;
  readonly events: HistoryEvent[];
  readonly integrity: IntegrityReport;
}

/** A document the record names, found missing from the document store or not as it was stored. */
export interface DocumentProblemReport {
  readonly documentId: string;
  /** The revision of the fact that attached it. */
  readonly revision: number;
  readonly problem: 'missing' | 'altered';
  readonly detail: string;
}

/** The complaint's documents against what is stored. */
export interface DocumentsCheck {
  readonly checked: number;
  readonly problems: readonly DocumentProblemReport[];
}

/** The complaint's chain verified (with its documents, when it has any), or the first revision that cannot even be read. */
export type ChainVerdict =
  | (IntegrityReport & { readonly documents?: DocumentsCheck })
  | {
      readonly valid: false;
      readonly events: null;
      readonly headHash: null;
      readonly firstInvalidRevision: number;
      readonly detail: string;
    };

/** A read model's answer, with the point in time it was read at and how far the log it had reached. */
export type AtPointInTime<T> = T & PointInTime & { readonly asOfPosition?: number };

export type ComplaintListPage = AtPointInTime<Page<ComplaintSummary>>;

export type BreachesPage = Page<AlertDocument> & PointInTime & { readonly asOfPosition: number };

export type TsmStatistics = AtPointInTime<TsmReport>;

export type AnnualReportBody = AtPointInTime<AnnualReport>;

/** A document on a complaint's record, as the API lists it (its title decrypted on the way out). */
export type DocumentRecordBody = DocumentRecord;
