import { addCalendarDays, endOfLondonDay, londonDateOf, TENURES, type Tenure } from '@complaint-ledger/domain';
import { tableOf, type ReadModelDatabase } from '../read-model-database';
import { complaintsAt } from '../complaints/complaint-at';
import type { PointInTime } from '../point-in-time';

/** Homes owned per reporting year and tenure (the CH01 denominators, from configuration). */
export type HomesByYear = Readonly<Record<number, Partial<Record<Tenure, number>>>>;

export interface Ch01 {
  readonly stage1Complaints: number;
  readonly stage2Complaints: number;
  readonly homes: number | null;
  readonly stage1PerThousandHomes: number | null;
  readonly stage2PerThousandHomes: number | null;
}

export interface Ch02Stage {
  readonly responded: number;
  readonly withinTimescale: number;
  readonly percent: number | null;
}

export interface TsmFigures {
  readonly ch01: Ch01;
  readonly ch02: { readonly stage1: Ch02Stage; readonly stage2: Ch02Stage };
}

export interface TsmReport extends TsmFigures {
  readonly reportingYear: string;
  readonly from: string;
  readonly to: string;
  readonly byTenure: Record<Tenure, TsmFigures>;
}

/** A reporting year runs 1 April – 31 March (London dates); `2024` is 2024/25. */
export function reportingYear(year: number) {
  return { reportingYear: `${year}/${String(year + 1).slice(2)}`, from: `${year}-04-01`, to: `${year + 1}-03-31` };
}

/** What the year's query counts, per tenure. */
const COUNTED = ['stage1', 'stage2', 's1Responded', 's1Within', 's2Responded', 's2Within'] as const;
type Counts = Record<(typeof COUNTED)[number], number>;

const ZERO = Object.fromEntries(COUNTED.map((field) => [field, 0])) as Counts;

/**
 * TSM CH01 and CH02 for one reporting year (decision 0007), from the complaints read model. Each
 * complaint counts in the year its counting event falls in: received (CH01 stage 1), escalated
 * (CH01 stage 2), responded (CH02). Complaints not accepted (Code section 2) count nowhere; a
 * refused escalation is not a stage 2 complaint; withdrawn complaints count in CH01 only (they
 * have no response). CH02's numerator is responses within the Code's timescales (decisions 0004/0005).
 */
export function tsmReport(db: ReadModelDatabase, year: number, homes: HomesByYear, at: PointInTime = {}): TsmReport {
  const period = reportingYear(year);
  const rows = complaintsAt(at);
  const s1 = rows.stage1RespondedOn;
  const s2 = rows.stage2RespondedOn;
  const counts = db
    .prepare(
      `SELECT tenure,
         COALESCE(SUM(received_on BETWEEN @from AND @to), 0) AS stage1,
         COALESCE(SUM(${rows.escalatedOn} BETWEEN @from AND @to), 0) AS stage2,
         COALESCE(SUM(${s1} BETWEEN @from AND @to), 0) AS s1Responded,
         COALESCE(SUM(${s1} BETWEEN @from AND @to AND stage1_within_code = 1), 0) AS s1Within,
         COALESCE(SUM(${s2} BETWEEN @from AND @to), 0) AS s2Responded,
         COALESCE(SUM(${s2} BETWEEN @from AND @to AND stage2_within_code = 1), 0) AS s2Within
       FROM ${rows.from}
       WHERE ${rows.excluded} = 0 AND received_at <= @until AND last_dated_on >= @datedFrom ${rows.where.map((c) => `AND ${c}`).join(' ')}
       GROUP BY tenure`,
    )
    // every date counted is on or after receipt and on or before the complaint's last date (a UTC date,
    // so a day early): the index passes over complaints received after the year or dated wholly before it
    .all({
      ...period,
      until: endOfLondonDay(period.to),
      datedFrom: addCalendarDays(period.from, -1),
      ...rows.params,
    }) as (Counts & { tenure: Tenure })[];
  const countsOf = (tenure: Tenure) => counts.find((row) => row.tenure === tenure) ?? ZERO;
  const byTenure = Object.fromEntries(
    TENURES.map((tenure) => [tenure, figures(countsOf(tenure), homes[year]?.[tenure] ?? null)]),
  ) as Record<Tenure, TsmFigures>;
  const total = Object.fromEntries(
    COUNTED.map((field) => [field, TENURES.reduce((sum, tenure) => sum + countsOf(tenure)[field], 0)]),
  ) as Counts;
  const tenureHomes = TENURES.map((tenure) => homes[year]?.[tenure]);
  const totalHomes = tenureHomes.every((count) => count !== undefined) ? tenureHomes.reduce((a, b) => a! + b!, 0)! : null;
  return { ...period, ...figures(total, totalHomes), byTenure };
}

function figures(counts: Counts, homes: number | null): TsmFigures {
  return {
    ch01: {
      stage1Complaints: counts.stage1,
      stage2Complaints: counts.stage2,
      homes,
      stage1PerThousandHomes: perThousand(counts.stage1, homes),
      stage2PerThousandHomes: perThousand(counts.stage2, homes),
    },
    ch02: {
      stage1: { responded: counts.s1Responded, withinTimescale: counts.s1Within, percent: percent(counts.s1Within, counts.s1Responded) },
      stage2: { responded: counts.s2Responded, withinTimescale: counts.s2Within, percent: percent(counts.s2Within, counts.s2Responded) },
    },
  };
}

/** Decision 0007: one decimal place. */
/**
 * `part / whole × scale` to one decimal place, an exact half rounded up (decision 0007). Worked from
 * whole numbers: `part × scale × 10 / whole` is a half exactly when it is one, where `part / whole
 * × scale × 10` in binary fractions is a hair either side (23 of 80 is 28.75 %, which came out
 * 28.7).
 */
export const oneDecimalOf = (part: number, whole: number, scale: number): number => Math.round((part * scale * 10) / whole) / 10;
const perThousand = (count: number, homes: number | null) => (homes ? oneDecimalOf(count, homes, 1000) : null);
const percent = (part: number, whole: number) => (whole ? oneDecimalOf(part, whole, 100) : null);

/** The reporting years any counting event falls in, oldest first (empty when there are none). */
export function reportingYearsCounted(db: ReadModelDatabase): number[] {
  const dates = ['received_on', 'escalated_on', 'stage1_responded_on', 'stage2_responded_on'];
  const bounds = db
    .prepare(
      `SELECT MIN(MIN(${dates.map((d) => `COALESCE(${d}, '9999')`).join(', ')})) AS earliest,
              MAX(MAX(${dates.map((d) => `COALESCE(${d}, '0000')`).join(', ')})) AS latest
       FROM ${tableOf({ name: 'complaints' })} WHERE excluded = 0`,
    )
    .get() as { earliest: string | null; latest: string | null };
  if (!bounds.earliest || !bounds.latest || bounds.earliest === '9999') return [];
  const years: number[] = [];
  for (let year = reportingYearOf(bounds.earliest); year <= reportingYearOf(bounds.latest); year++) years.push(year);
  return years;
}

/**
 * The reporting year of the earliest complaint received, or null when there is none: read from the
 * received-at index in one step, for offering a choice of years without scanning every complaint.
 */
export function firstReportingYear(db: ReadModelDatabase): number | null {
  const first = db
    .prepare(`SELECT MIN(received_at) FROM ${tableOf({ name: 'complaints' })}`)
    .pluck()
    .get() as string | null;
  return first ? reportingYearOf(londonDateOf(first)) : null;
}

/**
 * The reporting year of the latest complaint received, or null when there is none: where the
 * console's statistics and report open. Read from the received-at index in one step.
 */
export function lastReportingYear(db: ReadModelDatabase): number | null {
  const last = db
    .prepare(`SELECT MAX(received_at) FROM ${tableOf({ name: 'complaints' })}`)
    .pluck()
    .get() as string | null;
  return last ? reportingYearOf(londonDateOf(last)) : null;
}

/** The reporting year (1 April to 31 March) a London date falls in. */
export const reportingYearOf = (date: string): number => Number(date.slice(0, 4)) - (date.slice(5) < '04-01' ? 1 : 0);
