import { SqliteEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertProjection, complaintProjection, listAlerts, openReadModelDatabase, ProjectionRunner } from '@complaint-ledger/projections';
import { ALERTS, many, record, RULES } from '../../projections/test/support/ledger';
import { DeadlineDetector, WritePath } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'ledger-detector-'));
let n = 0;
const freshPath = (name: string) => join(dir, `${name}-${++n}.sqlite`);

/** A worker: its own read model and runner, and a detector over the shared log, on the one write path. */
function worker(store: SqliteEventStore, clock: () => string) {
  const db = openReadModelDatabase(freshPath('rm'));
  const runner = new ProjectionRunner(store, db, [complaintProjection(RULES, ALERTS), alertProjection()]);
  const write = new WritePath({ store, clock, personalData: null, clockSkewMs: 0, compliance: { rules: RULES, alerts: ALERTS } });
  return { db, runner, detector: new DeadlineDetector(write, db, { clock }) };
}

describe('the deadline detector', () => {
  // Received Mon 3 June 2024: acknowledgement due Mon 10 June (5 working days, Code 6.2), warned
  // from the start of Thu 6 June. Acknowledged ones have a stage 1 response due Tue 18 June
  // (10 working days from Tue 4 June, Code 6.3), warned from the start of Fri 14 June.
  const unacknowledged = () => many(25, (c) => c.received('2024-06-03T10:00'));
  const acknowledged = () => many(15, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00'));

  it('two detectors racing record one DeadlineBreached per deadline, and nothing on the next sweep', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    const late = unacknowledged();
    await record(store, ...late, ...acknowledged());
    const now = () => '2024-06-11T08:00:00.000Z'; // Tue 11 June: the acknowledgements are a day late
    const a = worker(store, now);
    const b = worker(store, now);
    await Promise.all([a.runner.catchUp(), b.runner.catchUp()]);

    const [first, second] = await Promise.all([a.detector.sweep(), b.detector.sweep()]);
    expect(first.breaches + second.breaches).toBe(25);
    for (const complaint of late) {
      const breaches = (await store.readStream(`complaint-${complaint.id}`)).filter((e) => e.type === 'DeadlineBreached');
      expect(breaches).toHaveLength(1);
      expect(breaches[0]!.data).toMatchObject({ kind: 'acknowledgement', dueAt: '2024-06-10T22:59:59.999Z', detectedAt: now() });
      expect(breaches[0]!.metadata.actor).toBe('ledger:breach-detector');
    }
    await a.runner.catchUp();
    expect((await a.detector.sweep()).breaches).toBe(0);
    const listed = listAlerts(a.db, { type: 'DeadlineBreached' }, undefined, 100);
    expect(listed.items).toHaveLength(25);
    expect(listed.items[0]).toMatchObject({ kind: 'acknowledgement', provision: expect.any(String), at: now() });
    await store.close();
  });

  it('warns ahead once, then records the breach when the due day has passed', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    await record(store, ...acknowledged());
    let now = '2024-06-14T09:00:00.000Z'; // Fri 14 June, 10:00 BST: 2 working days before Tue 18 June
    const w = worker(store, () => now);
    await w.runner.catchUp();
    expect(await w.detector.sweep()).toMatchObject({ due: 15, warnings: 15, breaches: 0 });
    await w.runner.catchUp();
    expect(await w.detector.sweep()).toMatchObject({ due: 0, warnings: 0 });
    now = '2024-06-19T09:00:00.000Z';
    expect(await w.detector.sweep()).toMatchObject({ due: 15, breaches: 15 });
    await w.runner.catchUp();
    const warnings = listAlerts(w.db, { type: 'DeadlineApproaching' }, undefined, 100).items;
    expect(warnings).toHaveLength(15);
    expect(warnings[0]).toMatchObject({ kind: 'stage1Response', workingDaysLeft: 2, dueAt: '2024-06-18T22:59:59.999Z' });
    expect(listAlerts(w.db, { kind: 'stage1Response', type: 'DeadlineBreached' }, undefined, 100).items).toHaveLength(15);
    // each sweep's alerts share one correlation id (the sweep caused them), and sweeps differ
    const all = (await store.readAll(0, 1_000)).filter((e) => e.type === 'DeadlineApproaching' || e.type === 'DeadlineBreached');
    const bySweep = new Map<string, Set<string>>();
    for (const e of all) bySweep.set(e.type, (bySweep.get(e.type) ?? new Set()).add(e.metadata.correlationId));
    expect([...bySweep.values()].map((ids) => ids.size)).toEqual([1, 1]);
    expect(bySweep.get('DeadlineApproaching')).not.toEqual(bySweep.get('DeadlineBreached'));
    await store.close();
  });

  it('a sweep with a read model behind the log re-reads the stream instead of duplicating', async () => {
    const store = new SqliteEventStore(freshPath('log'));
    await record(store, ...unacknowledged());
    const now = () => '2024-06-11T08:00:00.000Z';
    const w = worker(store, now);
    await w.runner.catchUp();
    expect((await w.detector.sweep()).breaches).toBe(25);
    // the runner has not seen the breaches: the index still says they are due
    expect(await w.detector.sweep()).toMatchObject({ due: 25, breaches: 0 });
    expect((await store.readAll(-1, 1000)).filter((e) => e.type === 'DeadlineBreached')).toHaveLength(25);
    await store.close();
  });
});
