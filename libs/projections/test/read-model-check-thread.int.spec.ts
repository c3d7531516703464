import { SqliteEventStore } from '@complaint-ledger/event-store';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadModelsOnAThread, openReadModelDatabase, ProjectionRunner, readModelProjections } from '../src';
import { ALERTS, many, record, RULES } from './support/ledger';

const dir = mkdtempSync(join(tmpdir(), 'ledger-read-model-check-'));
let n = 0;
const freshPath = (name: string) => join(dir, `${name}-${++n}.sqlite`);

/** A log of `complaints` complaints and read models caught up with it, each in a file. */
async function ledgerOnDisk(complaints: number) {
  const logPath = freshPath('log');
  const store = new SqliteEventStore(logPath);
  await record(store, ...many(complaints, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
  const projectionsPath = freshPath('rm');
  const db = openReadModelDatabase(projectionsPath);
  const runner = new ProjectionRunner(store, db, readModelProjections(RULES, ALERTS));
  await runner.catchUp();
  return { logPath, projectionsPath, store, db, runner, scratchPath: `${projectionsPath}.check.sqlite` };
}

describe('the read models checked against the log on a thread started for the check', () => {
  it('given read models as the log gives them, finds nothing disagreeing, at the head of the log, and leaves no scratch file', async () => {
    const { logPath, projectionsPath, store, db, scratchPath } = await ledgerOnDisk(30);
    const head = (await store.readAll(-1, 100_000)).at(-1)!.position;

    const found = await checkReadModelsOnAThread({ logPath, projectionsPath, scratchPath, rules: RULES, alerts: ALERTS });

    expect(found).toEqual({ position: head, mismatched: [], otherVersion: [] });
    expect(existsSync(scratchPath)).toBe(false);
    db.close();
    await store.close();
  });

  it('given a complaint row altered behind the projections (the sqlite3 shell), names the read model that disagrees', async () => {
    const { logPath, projectionsPath, store, db, scratchPath } = await ledgerOnDisk(12);
    const shell = new Database(projectionsPath);
    expect(shell.prepare("UPDATE rm_complaints SET status = 'closed' WHERE rowid = 3").run().changes).toBe(1);
    shell.close();

    const found = await checkReadModelsOnAThread({ logPath, projectionsPath, scratchPath, rules: RULES, alerts: ALERTS });

    expect(found.mismatched).toEqual(['complaints']);
    db.close();
    await store.close();
  });

  it('given read models behind the log (the projections not caught up yet), compares at their position: lag is not a mismatch', async () => {
    const { logPath, projectionsPath, store, db, runner, scratchPath } = await ledgerOnDisk(5);
    const caughtUpTo = runner.position;
    await record(store, ...many(5, (c) => c.received('2024-07-01T10:00')));

    const found = await checkReadModelsOnAThread({ logPath, projectionsPath, scratchPath, rules: RULES, alerts: ALERTS });

    expect(found).toEqual({ position: caughtUpTo, mismatched: [], otherVersion: [] });
    db.close();
    await store.close();
  });

  it('given a read-model file that is not there, fails with the reason rather than answering', async () => {
    const { logPath, store, db, scratchPath } = await ledgerOnDisk(1);
    await expect(
      checkReadModelsOnAThread({ logPath, projectionsPath: join(dir, 'absent.sqlite'), scratchPath, rules: RULES, alerts: ALERTS }),
    ).rejects.toThrow(/absent|unable to open|does not exist/i);
    db.close();
    await store.close();
  });
});

describe('a check abandoned (the service is stopping)', () => {
  it('stops the thread where it stands, rejects with the reason, and leaves no scratch copy behind', async () => {
    const { logPath, projectionsPath, store, db, scratchPath } = await ledgerOnDisk(4_000);
    const abandon = new AbortController();
    const checking = checkReadModelsOnAThread({ logPath, projectionsPath, scratchPath, rules: RULES, alerts: ALERTS }, abandon.signal);
    const settled = checking.then(
      () => 'answered',
      (error: Error) => error.message,
    );
    while (!existsSync(scratchPath)) await new Promise((resolve) => setTimeout(resolve, 5)); // the replay has begun

    abandon.abort(new Error('the service is stopping'));

    expect(await settled).toBe('the service is stopping');
    expect(existsSync(scratchPath)).toBe(false);
    expect(existsSync(`${scratchPath}-wal`)).toBe(false);
    db.close();
    await store.close();
  });

  it('given a signal already aborted, starts nothing', async () => {
    const abandon = new AbortController();
    abandon.abort(new Error('stopping'));
    const paths = {
      logPath: join(dir, 'none.sqlite'),
      projectionsPath: join(dir, 'none-rm.sqlite'),
      scratchPath: join(dir, 'none-check.sqlite'),
    };
    await expect(checkReadModelsOnAThread({ ...paths, rules: RULES, alerts: ALERTS }, abandon.signal)).rejects.toThrow('stopping');
  });
});
