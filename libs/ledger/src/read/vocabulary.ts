/**
 * What the apps name of the layers beneath the core, through the core: the shapes its queries
 * answer and the failures its commands and queries pass on. Apps import the core and the domain
 * only (the fences check it), so these are re-exported here rather than imported from below.
 */
export type {
  AlertDocument,
  AlertFilter,
  AnnualReport,
  ComplaintSummary,
  Page,
  PointInTime,
  Tally,
  TsmReport,
} from '@complaint-ledger/projections';
export { EventKeyRing, StoreUnavailable, UnreadableEvent, WrongExpectedRevision } from '@complaint-ledger/event-store';
export type { PersonalDataCipher } from '@complaint-ledger/privacy';
export { KeyStoreAltered } from '@complaint-ledger/privacy';
