import { MemoryEventStore } from '@complaint-ledger/event-store';
import { alertProjection, complaintProjection, openReadModelDatabase, ProjectionRunner, tsmReport, type HomesByYear } from '../src';
import { ALERTS, many, record, RULES } from './support/ledger';

/**
 * A worked TSM example (decision 0007), 47 complaints over reporting years 2024/25 and 2025/26 and
 * both tenures. Every complaint is acknowledged the day it arrives (stage 1 and stage 2), so the
 * Code's response timescales run from that day (Code 6.3: 10 working days at stage 1; 6.13: 20
 * at stage 2). "Within" responses come 3 to 9 working days later; "late" ones weeks after the
 * due day, with no extension.
 */
const year2024 = [
  // LCRA
  ...many(10, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-03T15:00').responded(1, '2024-06-06T12:00')), // a: within
  ...many(4, (c) => c.received('2024-09-02T10:00').acknowledged(1, '2024-09-02T15:00').responded(1, '2024-10-28T12:00')), // b: due 16 Sep, late
  ...many(3, (c) =>
    c
      .received('2024-11-04T10:00')
      .acknowledged(1, '2024-11-04T15:00')
      .responded(1, '2024-11-07T12:00')
      .escalated('2024-11-11T09:00')
      .acknowledged(2, '2024-11-11T15:00')
      .responded(2, '2024-11-18T12:00'),
  ), // c: stage 1 within, stage 2 within
  ...many(2, (c) =>
    c
      .received('2024-12-02T10:00')
      .acknowledged(1, '2024-12-02T15:00')
      .responded(1, '2024-12-05T12:00')
      .escalated('2025-01-06T09:00')
      .acknowledged(2, '2025-01-06T15:00')
      .responded(2, '2025-03-10T12:00'),
  ), // d: stage 2 due 3 Feb 2025, late
  ...many(2, (c) => c.received('2025-03-20T10:00').acknowledged(1, '2025-03-20T15:00').responded(1, '2025-04-02T12:00')), // e: received 2024/25, responded 2025/26 (9 working days: within)
  ...many(1, (c) => c.received('2024-07-01T10:00').notAccepted('2024-07-03T10:00')), // f: not accepted, counts nowhere
  ...many(1, (c) => c.received('2024-08-05T10:00').acknowledged(1, '2024-08-05T15:00').withdrawn('2024-08-07T10:00')), // g: withdrawn, CH01 only
  // LCHO
  ...many(5, (c) => c.received('2024-05-13T10:00', 'LCHO').acknowledged(1, '2024-05-13T15:00').responded(1, '2024-05-16T12:00')), // h: within
  ...many(2, (c) => c.received('2024-10-07T10:00', 'LCHO').acknowledged(1, '2024-10-07T15:00').responded(1, '2024-12-02T12:00')), // i: due 21 Oct, late
  ...many(1, (c) =>
    c
      .received('2025-01-13T10:00', 'LCHO')
      .acknowledged(1, '2025-01-13T15:00')
      .responded(1, '2025-01-16T12:00')
      .escalated('2025-01-20T09:00')
      .acknowledged(2, '2025-01-20T15:00')
      .responded(2, '2025-04-07T12:00'),
  ), // j: escalated 2024/25; stage 2 due 17 Feb, answered late in 2025/26
  ...many(1, (c) =>
    c
      .received('2024-06-10T10:00', 'LCHO')
      .acknowledged(1, '2024-06-10T15:00')
      .responded(1, '2024-06-13T12:00')
      .escalated('2024-06-17T09:00')
      .escalationRefused('2024-06-18T10:00'),
  ), // k: escalation refused: stage 1 counts, stage 2 does not
];
const year2025 = [
  // LCRA (Mon 5 May 2025 is a bank holiday)
  ...many(6, (c) => c.received('2025-05-06T10:00').acknowledged(1, '2025-05-06T15:00').responded(1, '2025-05-09T12:00')), // l: within
  ...many(3, (c) => c.received('2025-07-07T10:00').acknowledged(1, '2025-07-07T15:00').responded(1, '2025-09-01T12:00')), // m: due 21 Jul, late
  ...many(2, (c) =>
    c
      .received('2025-06-02T10:00')
      .acknowledged(1, '2025-06-02T15:00')
      .responded(1, '2025-06-05T12:00')
      .escalated('2025-06-09T09:00')
      .acknowledged(2, '2025-06-09T15:00')
      .responded(2, '2025-06-16T12:00'),
  ), // n: both within
  // LCHO
  ...many(3, (c) => c.received('2025-08-04T10:00', 'LCHO').acknowledged(1, '2025-08-04T15:00').responded(1, '2025-08-07T12:00')), // o: within
  ...many(1, (c) => c.received('2025-09-01T10:00', 'LCHO').acknowledged(1, '2025-09-01T15:00').responded(1, '2025-11-03T12:00')), // p: due 15 Sep, late
];

const homes: HomesByYear = { 2024: { LCRA: 10_000, LCHO: 2_000 }, 2025: { LCRA: 10_100, LCHO: 2_050 } };

describe('TSM CH01/CH02 (decision 0007): a worked example over two reporting years', () => {
  const db = openReadModelDatabase(':memory:');
  beforeAll(async () => {
    expect(year2024.length + year2025.length).toBe(47);
    const store = new MemoryEventStore();
    await record(store, ...year2024, ...year2025);
    await new ProjectionRunner(store, db, [complaintProjection(RULES, ALERTS), alertProjection()]).catchUp();
  });

  it('2024/25: counts each complaint in the year of its counting event', () => {
    const report = tsmReport(db, 2024, homes);
    expect(report).toMatchObject({ reportingYear: '2024/25', from: '2024-04-01', to: '2025-03-31' });
    // LCRA CH01: stage 1 = a10 + b4 + c3 + d2 + e2 + g1 = 22 (f not accepted); stage 2 = c3 + d2 = 5.
    // Per 1,000 of 10,000 homes: 2.2 and 0.5.
    // CH02 stage 1 responded in the year: a10 + b4 + c3 + d2 = 19 (e answered in 2025/26, g withdrawn);
    // within: a10 + c3 + d2 = 15 → 78.9 %. Stage 2: c3 + d2 = 5, within c3 → 60.0 %.
    expect(report.byTenure.LCRA).toEqual({
      ch01: { stage1Complaints: 22, stage2Complaints: 5, homes: 10_000, stage1PerThousandHomes: 2.2, stage2PerThousandHomes: 0.5 },
      ch02: { stage1: { responded: 19, withinTimescale: 15, percent: 78.9 }, stage2: { responded: 5, withinTimescale: 3, percent: 60 } },
    });
    // LCHO CH01: stage 1 = h5 + i2 + j1 + k1 = 9; stage 2 = j1 (k's escalation was refused) = 1.
    // Per 1,000 of 2,000 homes: 4.5 and 0.5. CH02 stage 1: 9 responded, within h5 + j1 + k1 = 7 → 77.8 %.
    // Stage 2: j answered in 2025/26 → none responded, no percentage.
    expect(report.byTenure.LCHO).toEqual({
      ch01: { stage1Complaints: 9, stage2Complaints: 1, homes: 2_000, stage1PerThousandHomes: 4.5, stage2PerThousandHomes: 0.5 },
      ch02: { stage1: { responded: 9, withinTimescale: 7, percent: 77.8 }, stage2: { responded: 0, withinTimescale: 0, percent: null } },
    });
    // Total: stage 1 31, stage 2 6 of 12,000 homes → 2.6 and 0.5; CH02 stage 1 22 of 28 → 78.6 %;
    // stage 2 3 of 5 → 60.0 %.
    expect(report.ch01).toEqual({
      stage1Complaints: 31,
      stage2Complaints: 6,
      homes: 12_000,
      stage1PerThousandHomes: 2.6,
      stage2PerThousandHomes: 0.5,
    });
    expect(report.ch02).toEqual({
      stage1: { responded: 28, withinTimescale: 22, percent: 78.6 },
      stage2: { responded: 5, withinTimescale: 3, percent: 60 },
    });
  });

  it('2025/26: responses to complaints received the year before count in this one', () => {
    const report = tsmReport(db, 2025, homes);
    // LCRA CH01: l6 + m3 + n2 = 11 and n2 = 2 per 10,100 homes → 1.1 and 0.2.
    // CH02 stage 1: e2 + l6 + m3 + n2 = 13 responded, within e2 + l6 + n2 = 10 → 76.9 %; stage 2: n2 of 2 → 100 %.
    expect(report.byTenure.LCRA).toEqual({
      ch01: { stage1Complaints: 11, stage2Complaints: 2, homes: 10_100, stage1PerThousandHomes: 1.1, stage2PerThousandHomes: 0.2 },
      ch02: { stage1: { responded: 13, withinTimescale: 10, percent: 76.9 }, stage2: { responded: 2, withinTimescale: 2, percent: 100 } },
    });
    // LCHO CH01: o3 + p1 = 4, none at stage 2, per 2,050 homes → 2.0 and 0.
    // CH02 stage 1: 4 responded, o3 within → 75.0 %; stage 2: j answered late → 0 of 1 → 0.0 %.
    expect(report.byTenure.LCHO).toEqual({
      ch01: { stage1Complaints: 4, stage2Complaints: 0, homes: 2_050, stage1PerThousandHomes: 2, stage2PerThousandHomes: 0 },
      ch02: { stage1: { responded: 4, withinTimescale: 3, percent: 75 }, stage2: { responded: 1, withinTimescale: 0, percent: 0 } },
    });
    // Total: 15 and 2 of 12,150 homes → 1.2 and 0.2; CH02 stage 1 13 of 17 → 76.5 %; stage 2 2 of 3 → 66.7 %.
    expect(report.ch01).toEqual({
      stage1Complaints: 15,
      stage2Complaints: 2,
      homes: 12_150,
      stage1PerThousandHomes: 1.2,
      stage2PerThousandHomes: 0.2,
    });
    expect(report.ch02).toEqual({
      stage1: { responded: 17, withinTimescale: 13, percent: 76.5 },
      stage2: { responded: 3, withinTimescale: 2, percent: 66.7 },
    });
  });

  it('reports zeros, not errors, for a year with no complaints and no homes configured', () => {
    const report = tsmReport(db, 2019, homes);
    expect(report.ch01).toEqual({
      stage1Complaints: 0,
      stage2Complaints: 0,
      homes: null,
      stage1PerThousandHomes: null,
      stage2PerThousandHomes: null,
    });
    expect(report.ch02.stage1).toEqual({ responded: 0, withinTimescale: 0, percent: null });
  });
});
