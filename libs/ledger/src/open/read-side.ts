import { WorkingCalendar, type ComplianceRules } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { ReadSide } from '@complaint-ledger/projections';
import { readBankHolidayFile } from '../config/bank-holiday-file';
import type { LedgerConfig } from '../config/ledger-config';

/** The calendar (closure days, the operator's proclaimed holidays) and the landlord's timescales, from configuration. */
export function complianceRulesFrom(config: LedgerConfig): ComplianceRules {
  const calendar = new WorkingCalendar({ closureDays: config.closureDays, ...readBankHolidayFile(config.LEDGER_BANK_HOLIDAYS_FILE) });
  const timescales = config.landlordTimescales;
  // none set: the Code's own, and no second set of clocks judged beside them (CH02's) for every deadline
  return Object.values(timescales).some((days) => days !== undefined) ? { calendar, landlordTimescales: timescales } : { calendar };
}

/**
 * The read side over `store`. With `ownThread` and the SQLite log, the projections run on a thread
 * of their own, told of each commit as it happens, so applying events never holds up requests.
 */
export function openReadSide(
  config: LedgerConfig,
  store: EventStore,
  rules: ComplianceRules,
  ownThread: boolean,
  onNotice: (message: string) => void,
): ReadSide {
  const thread =
    ownThread && store instanceof SqliteEventStore
      ? { logPath: store.path, onCommit: (listener: () => void) => store.onCommit(listener) }
      : undefined;
  return new ReadSide({
    thread,
    store,
    path: config.projectionsPath,
    rules,
    alerts: config.alertSettings,
    onNotice,
  });
}
