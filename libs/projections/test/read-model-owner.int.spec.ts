import { SqliteEventStore } from '@complaint-ledger/event-store';
import { copyFileSync, mkdtempSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertProjection, complaintProjection, openReadModelDatabase, ProjectionRunner, ReadModelInUse, ReadSide } from '../src';
import { ALERTS, many, record, RULES } from './support/ledger';

const dir = mkdtempSync(join(tmpdir(), 'ledger-owner-'));

describe('one keeper per read-model file', () => {
  it('a second read side on the same file is refused, naming the process that keeps it; once that one stops, it is not', async () => {
    const store = new SqliteEventStore(join(dir, 'log-1.sqlite'));
    const path = join(dir, 'projections-1.sqlite');
    const first = new ReadSide({ store, path, rules: RULES, alerts: ALERTS });
    let refused: unknown;
    try {
      new ReadSide({ store, path, rules: RULES, alerts: ALERTS });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ReadModelInUse);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
    expect((refused as Error).message).toContain('LEDGER_PROJECTIONS_PATH');
    await first.stop();
    const second = new ReadSide({ store, path, rules: RULES, alerts: ALERTS });
    await second.stop();
    await store.close();
  });

  it('another name for the same file (a symbolic link) meets the same lock', async () => {
    const store = new SqliteEventStore(join(dir, 'log-3.sqlite'));
    const path = join(dir, 'projections-3.sqlite');
    const first = new ReadSide({ store, path, rules: RULES, alerts: ALERTS });
    symlinkSync(path, join(dir, 'alias-3.sqlite'));
    expect(() => new ReadSide({ store, path: join(dir, 'alias-3.sqlite'), rules: RULES, alerts: ALERTS })).toThrow(ReadModelInUse);
    await first.stop();
    await store.close();
  });

  it('read models built from another log (a restore took it back) are rebuilt from this one, and say so', async () => {
    const original = join(dir, 'log-4.sqlite');
    const projections = () => [complaintProjection(RULES, ALERTS), alertProjection()];
    let store = new SqliteEventStore(original);
    await record(store, ...many(5, (c) => c.received('2024-06-03T10:00')));
    await store.close();
    copyFileSync(original, join(dir, 'backup-4.sqlite')); // stopped: a copy is a backup
    store = new SqliteEventStore(original);
    await record(store, ...many(5, (c) => c.received('2024-06-04T10:00')));
    const path = join(dir, 'projections-4.sqlite');
    const kept = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    await kept.catchUp();
    await kept.stop();
    await store.close();
    // the backup restored in the log's place; two complaints recorded since, at positions the read models had passed
    renameSync(join(dir, 'backup-4.sqlite'), original);
    store = new SqliteEventStore(original);
    await record(store, ...many(2, (c) => c.received('2024-06-05T10:00', 'LCHO')));
    const notices: string[] = [];
    const reopened = new ProjectionRunner(store, openReadModelDatabase(path), projections(), { onNotice: (n) => notices.push(n) });
    await reopened.catchUp();
    const rebuilt = new ProjectionRunner(store, openReadModelDatabase(join(dir, 'rebuilt-4.sqlite')), projections());
    await rebuilt.rebuild();
    expect(reopened.dump()).toBe(rebuilt.dump());
    expect(notices).toEqual([expect.stringContaining('rebuilding them from this log')]);
    await Promise.all([reopened.stop(), rebuilt.stop()]);
    await store.close();
  });

  it('an event the file already holds is never applied again, even by a runner that had not seen it applied', async () => {
    const store = new SqliteEventStore(join(dir, 'log-2.sqlite'));
    await record(store, ...many(10, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
    const path = join(dir, 'projections-2.sqlite');
    const projections = () => [complaintProjection(RULES, ALERTS), alertProjection()];
    // two runners on one file, as two processes were before the ownership claim: each starts from the checkpoint it read
    const one = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    const other = new ProjectionRunner(store, openReadModelDatabase(path), projections());
    await one.catchUp();
    await other.catchUp(); // its remembered checkpoint is -1: only the file's stops it counting everything twice
    await record(store, ...many(5, (c) => c.received('2024-07-01T10:00', 'LCHO')));
    await other.catchUp();
    await one.catchUp();
    const rebuilt = new ProjectionRunner(store, openReadModelDatabase(join(dir, 'rebuilt-2.sqlite')), projections());
    await rebuilt.rebuild();
    expect(one.dump()).toBe(rebuilt.dump());
    await Promise.all([one.stop(), other.stop(), rebuilt.stop()]);
    await store.close();
  });
});
