import { WorkingCalendar, type AlertSettings, type CalendarOptions, type ComplianceRules } from '@complaint-ledger/domain';

/** Compliance rules as a thread is started with them: plain data, the calendar as its options. */
export type RulesAsData = Omit<ComplianceRules, 'calendar'> & { readonly calendar: CalendarOptions };
export const rulesAsData = (rules: ComplianceRules): RulesAsData => ({ ...rules, calendar: rules.calendar.options });
export const rulesFromData = (data: RulesAsData): ComplianceRules => ({ ...data, calendar: new WorkingCalendar(data.calendar) });

/** What the projections thread is started with: plain data (a calendar travels as its options). */
export interface ProjectionsThreadData {
  readonly role: 'projections';
  readonly logPath: string;
  readonly projectionsPath: string;
  readonly rules: RulesAsData;
  readonly alerts: AlertSettings;
}

/** From the service's thread: a commit to look at now, or a request answered by `done` or `failed`. */
export type ToProjectionsThread = { readonly type: 'commit' } | { readonly type: 'catchUp' | 'rebuild' | 'stop'; readonly id: number };

/** From the projections thread: its progress after each batch, and answers. */
export type FromProjectionsThread =
  | { readonly type: 'started'; readonly position: number; readonly failure: string | null }
  | { readonly type: 'progress'; readonly position: number; readonly failure: string | null }
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly position: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
