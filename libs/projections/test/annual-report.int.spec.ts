import { SqliteEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annualReport } from '../src';
import { ComplaintFacts, record, RULES, testReadSide } from './support/ledger';

/**
 * The annual report skips complaints settled before its year began (the complaints read model's
 * `settled_on`): given complaints of every kind of life over five years, each year's report is the
 * same as one that reads every complaint.
 */
const dir = mkdtempSync(join(tmpdir(), 'ledger-annual-'));
const day = (start: string, plus: number) => {
  const date = new Date(Date.parse(`${start}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);
  return { date, at: (hour = 10) => `${date}T${String(hour).padStart(2, '0')}:00` };
};

/** A complaint received `offset` days after 2021-01-04, taken as far through its life as `depth` says. */
function life(offset: number, depth: number): ComplaintFacts {
  const on = (plus: number) => day('2021-01-04', offset + plus);
  const facts = new ComplaintFacts().received(on(0).at(), offset % 3 ? 'LCRA' : 'LCHO', offset % 2 ? 'repairs' : 'noise');
  if (depth === 1) return facts.notAccepted(on(2).at());
  if (depth === 2) return facts.acknowledged(1, on(3).at()).withdrawn(on(9).at());
  if (depth >= 3) facts.acknowledged(1, on(2).at());
  if (depth >= 4) facts.extended(1, on(8).at(), on(30).date);
  if (depth >= 5) facts.responded(1, on(20).at());
  if (depth === 6) facts.remedy('r1', on(20).at(), on(60).date); // never completed
  if (depth >= 7) facts.remedy('r1', on(20).at(), on(60).date, on(50).at());
  if (depth >= 8) facts.escalated(on(70).at()).acknowledged(2, on(72).at()).responded(2, on(90).at());
  return facts;
}

it('given complaints of every life over five years, each year’s report equals one that reads every complaint', async () => {
  const store = new SqliteEventStore(join(dir, 'log.sqlite'));
  const readSide = testReadSide(store, join(dir, 'rm.sqlite'));
  const lives = Array.from({ length: 400 }, (_, n) => life((n * 4.7) | 0, n % 9));
  await record(store, ...lives);
  await readSide.runner.catchUp();
  const now = '2026-12-01T12:00:00.000Z';
  let skipped = 0;
  for (const year of [2021, 2022, 2023, 2024, 2025, 2026]) {
    const report = annualReport(readSide.db, year, RULES, {}, now);
    expect(report).toEqual(annualReport(readSide.db, year, RULES, {}, now, { everyComplaint: true }));
    skipped += readSide.db.prepare(`SELECT count(*) FROM rm_complaints WHERE settled_on < ?`).pluck().get(`${year}-03-31`) as number;
  }
  expect(skipped).toBeGreaterThan(400); // the later years' reports left most settled complaints unread
  await readSide.stop();
  await store.close();
});
