import { occurredAtOf, toInstant } from '@complaint-ledger/domain';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annualReport } from '../src';
import { ComplaintFacts, record, RULES, testReadSide } from './support/ledger';

/**
 * The annual report skips complaints whose every fact and due date is dated before its year began
 * (the complaints read model's `last_dated_on`): given complaints of every kind of life over five
 * years (breached and never answered, remedies never completed, extended, escalated), each year's
 * report is the same as one that reads every complaint.
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

jest.setTimeout(60_000);

it('given complaints of every life over five years, each year’s report equals one that reads every complaint', async () => {
  // each fact recorded as it happens (the store's clock at the fact's own time), so what the read model keeps of
  // a complaint is written while its deadlines are still running, as in service
  let recordedAt = '';
  const store = new SqliteEventStore(join(dir, 'log.sqlite'), () => recordedAt);
  const readSide = testReadSide(store, join(dir, 'rm.sqlite'));
  const lives = Array.from({ length: 400 }, (_, n) => life((n * 4.7) | 0, n % 9));
  for (const facts of lives) {
    for (const event of facts.events) {
      recordedAt = new Date(Date.parse(toInstant(occurredAtOf(event))) + 60_000).toISOString();
      const one = new ComplaintFacts(facts.id);
      one.events.push(event);
      await record(store, one);
    }
  }
  await readSide.runner.catchUp();
  const now = '2026-12-01T12:00:00.000Z';
  let skipped = 0;
  for (const year of [2021, 2022, 2023, 2024, 2025, 2026]) {
    const report = annualReport(readSide.db, year, RULES, {}, now);
    const everyComplaintJudged = annualReport(readSide.db, year, RULES, {}, now, { everyComplaint: true });
    expect(report).toEqual(everyComplaintJudged);
    // TSM reads only the complaints dated in its year too: its counts are the report's, from every complaint
    const { ch01, ch02 } = report.tsm;
    const responses = (stage: 'stage1' | 'stage2') => everyComplaintJudged.outcomes[stage].reduce((sum, t) => sum + t.count, 0);
    expect([ch01.stage1Complaints, ch01.stage2Complaints, ch02.stage1.responded, ch02.stage2.responded]).toEqual([
      everyComplaintJudged.volumes.stage1,
      everyComplaintJudged.volumes.stage2,
      responses('stage1'),
      responses('stage2'),
    ]);
    skipped += readSide.db.prepare(`SELECT count(*) FROM rm_complaints WHERE last_dated_on < ?`).pluck().get(`${year}-03-31`) as number;
  }
  expect(skipped).toBeGreaterThan(400); // the later years' reports left most earlier complaints unread, breached ones included
  await readSide.stop();
  await store.close();
});
