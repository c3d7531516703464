import { TENURES } from '@complaint-ledger/domain';
import { canonicalJson, uuidFrom } from '@complaint-ledger/event-store';
import {
  reportingYear,
  reportingYearsCounted,
  tsmReport,
  type HomesByYear,
  type ReadModelDatabase,
  type TsmFigures,
} from '@complaint-ledger/projections';
import { createHash } from 'node:crypto';
import { INTEGRATION_SCHEMA_VERSION, messageHeaders } from './integration-events';
import type { OutgoingMessage } from './publisher';

/**
 * One reporting year's CH01/CH02 for one tenure (or `ALL`), as published on the TSM topic
 * (contracts/tsm-snapshot.v1.schema.json). The key `<year>:<tenure>` makes a compacted topic
 * keep the latest figures per year and tenure.
 */
export interface TsmSnapshot extends TsmFigures {
  readonly eventId: string;
  readonly eventType: 'TsmSnapshot';
  readonly schemaVersion: number;
  readonly key: string;
  readonly year: number;
  readonly reportingYear: string;
  readonly from: string;
  readonly to: string;
  readonly tenure: 'LCRA' | 'LCHO' | 'ALL';
  /** The log position the complaints read model had reached when the figures were taken. */
  readonly asOfPosition: number;
  readonly takenAt: string;
}

export interface CurrentFigures {
  readonly key: string;
  readonly year: number;
  readonly tenure: TsmSnapshot['tenure'];
  readonly figures: TsmFigures;
  /** SHA-256 of the figures: what "changed" means. */
  readonly digest: string;
}

/** Every year and tenure's figures as the read model stands (years with any counting event, and `alsoYears`). */
export function currentFigures(db: ReadModelDatabase, homes: HomesByYear, alsoYears: readonly number[] = []): CurrentFigures[] {
  const years = [...new Set([...reportingYearsCounted(db), ...alsoYears])].sort((a, b) => a - b);
  return years.flatMap((year) => {
    const report = tsmReport(db, year, homes);
    const all = { ch01: report.ch01, ch02: report.ch02 };
    return [...TENURES.map((tenure) => [tenure, report.byTenure[tenure]] as const), ['ALL', all] as const].map(([tenure, figures]) => ({
      key: `${year}:${tenure}`,
      year,
      tenure,
      figures,
      digest: createHash('sha256').update(canonicalJson(figures)).digest('hex'),
    }));
  });
}

export function tsmSnapshotMessage(topic: string, current: CurrentFigures, asOfPosition: number, takenAt: string): OutgoingMessage {
  // the same figures at the same position give the same id, so a re-published snapshot is dropped
  const eventId = uuidFrom(`tsm|${current.key}|${asOfPosition}|${current.digest}`);
  const snapshot: TsmSnapshot = {
    eventId,
    eventType: 'TsmSnapshot',
    schemaVersion: INTEGRATION_SCHEMA_VERSION,
    key: current.key,
    year: current.year,
    ...reportingYear(current.year),
    tenure: current.tenure,
    ...current.figures,
    asOfPosition,
    takenAt,
  };
  const headers = messageHeaders({
    eventType: 'TsmSnapshot',
    eventId,
    correlationId: eventId,
    time: takenAt,
    subject: current.key,
    kind: 'tsm',
  });
  return { topic, key: current.key, value: JSON.stringify(snapshot), headers };
}
