import Database from 'better-sqlite3';
import { clearTextCipher } from './support/clear-text-cipher';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { WorkingCalendar, type ComplaintCommand } from '@complaint-ledger/domain';
import { SqliteEventStore, type EventStore } from '@complaint-ledger/event-store';
import { receiveCommand } from '../../domain/test/support/builders';
import { CheckpointSigningKey, Ledger, LedgerIntegrity, loadConfig, ReadModelsRepairing, WritePath } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * What the ledger keeps watching while it runs (decision 0023): the whole log verified again on a
 * schedule, so a change made where nothing else would look is still found; read models found
 * disagreeing with the log are not served until they are rebuilt.
 */
jest.setTimeout(60_000);

const folder = mkdtempSync(join(tmpdir(), 'ledger-watch-'));
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const receive = (complaintId: string) =>
  ({ ...receiveCommand(), data: { ...receiveCommand().data, complaintId, receivedAt: '2024-05-01T10:00:00+01:00' } }) as ComplaintCommand;

it('on its schedule, the whole log is verified again: an event edited in place, where no other check looks, is found', async () => {
  const path = join(folder, 'scheduled.sqlite');
  const sqlite = new SqliteEventStore(path);
  // a store that cannot tell writes from outside (EventStoreDB, say): only the schedule is left to find the edit
  const store: EventStore = {
    append: (streamId, events, expected) => sqlite.append(streamId, events, expected),
    readStream: (streamId) => sqlite.readStream(streamId),
    readLastEvent: (streamId) => sqlite.readLastEvent(streamId),
    readAll: (after, limit) => sqlite.readAll(after, limit),
    readAt: (position) => sqlite.readAt(position),
    subscribe: (after, handler) => sqlite.subscribe(after, handler),
    ready: () => sqlite.ready(),
    close: () => sqlite.close(),
  };
  const signing = CheckpointSigningKey.fromFile(signingKeyFile(folder));
  const clock = () => '2024-06-03T10:00:00.000Z';
  const write = new WritePath({
    store,
    clock,
    personalData: clearTextCipher(),
    clockSkewMs: 300_000,
    compliance: { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } },
  });
  const settings = { signing, verifying: signing.verifying, everyEvents: 2, everyMs: 60_000, wholeLogEveryMs: 1_000, passGapMs: 100 };
  const integrity = new LedgerIntegrity(store, write, clock, settings, quiet, new Registry());
  await integrity.start();
  for (let n = 0; n < 3; n++)
    await write.execute({ complaintId: randomUUID(), command: receive(randomUUID()), actor: 'test', correlationId: 'c' });
  await integrity.tick(); // a checkpoint over them
  const db = new Database(path);
  db.prepare("UPDATE events SET data = replace(data, 'LCRA', 'LCHO') WHERE position = 1").run();
  db.close();
  await integrity.tick();
  expect(integrity.status).toBe('intact'); // following the log sees nothing new
  const until = Date.now() + 30_000;
  while (integrity.status !== 'broken' && Date.now() < until) {
    await integrity.tick();
    await integrity.wholeLogPass;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(integrity.readiness()).toMatchObject({ status: 'broken', break: expect.stringContaining('(event-altered)') });
  integrity.stop();
  await store.close();
});

/** A ledger in its own folder under `name`, started, its log verified: no sweeps, no retention. */
async function startedLedger(name: string, role: 'api' | 'worker', env: Record<string, string> = {}): Promise<Ledger> {
  const config = loadConfig({
    LEDGER_SQLITE_PATH: join(folder, name, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_RETENTION_YEARS: '0',
    ...env,
  });
  const ledger = Ledger.open(config, { role, clock: () => '2026-11-23T12:00:00.000Z', loggers: () => quiet });
  await ledger.start();
  await ledger.verification;
  return ledger;
}

/** `count` complaints received through the write path, one after another. */
async function receiveComplaints(ledger: Ledger, count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    const complaintId = randomUUID();
    await ledger.write.execute({ complaintId, command: receive(complaintId), actor: 'test', correlationId: 'c' });
  }
}

describe('read models found disagreeing with the log', () => {
  let ledger: Ledger;
  let releaseRebuild: () => void = () => undefined;

  beforeAll(async () => {
    ledger = await startedLedger('repairing', 'worker');
    await receiveComplaints(ledger, 4);
    await ledger.sweep();
    await ledger.readSide.runner.catchUp();
  });
  afterAll(async () => ledger.close());

  it('are refused (not served) while they are rebuilt, then served as the log says; a mismatch is counted', async () => {
    const before = await ledger.queries.readModels.tsm(2024, {});
    const breaches = (await ledger.queries.readModels.breaches({ type: 'DeadlineBreached' }, { limit: 100 }, {})).items.length;
    expect(breaches).toBeGreaterThan(0);
    const db = new Database(ledger.config.projectionsPath);
    db.exec("DELETE FROM rm_deadline_alerts; UPDATE rm_complaints SET status = 'closed', breaches = 0");
    db.close();
    // the rebuild held until this test lets it go, to look at what is answered meanwhile
    const rebuild = ledger.readSide.runner.rebuild.bind(ledger.readSide.runner);
    ledger.readSide.runner.rebuild = () => new Promise<void>((resolve) => (releaseRebuild = resolve)).then(rebuild);
    const checked = ledger.readModels.check('a test');
    const given = Date.now() + 30_000; // a check that never finds the mismatch fails here, rather than waiting for ever
    while (ledger.readModels.status.status !== 'repairing' && Date.now() < given) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ledger.readModels.status.status).toBe('repairing');
    await expect(ledger.queries.readModels.tsm(2024, {})).rejects.toBeInstanceOf(ReadModelsRepairing);
    await expect(ledger.queries.readModels.annualReport(2024, {})).rejects.toBeInstanceOf(ReadModelsRepairing);
    await expect(ledger.queries.readModels.list({}, { limit: 10 }, {})).rejects.toBeInstanceOf(ReadModelsRepairing);
    await expect(ledger.queries.readModels.breaches({ type: 'DeadlineBreached' }, { limit: 100 }, {})).rejects.toBeInstanceOf(
      ReadModelsRepairing,
    );
    releaseRebuild();
    expect(await checked).toMatchObject({ status: 'consistent', mismatched: ['complaints', 'deadline_alerts'] });
    expect(await ledger.queries.readModels.tsm(2024, {})).toEqual(before);
    expect((await ledger.queries.readModels.breaches({ type: 'DeadlineBreached' }, { limit: 100 }, {})).items).toHaveLength(breaches);
    const metrics = await ledger.metrics.registry.getSingleMetricAsString('ledger_read_model_mismatches_total');
    expect(metrics).toContain('ledger_read_model_mismatches_total{read_model="complaints"} 1');
  });

  it("a read model whose checkpoint names another version (so a check would pass it by) is found and rebuilt: the running service's start rebuilt any such", async () => {
    delete (ledger.readSide.runner as { rebuild?: unknown }).rebuild; // the test above held it: its own again
    const before = await ledger.queries.readModels.list({}, { limit: 10 }, {});
    const db = new Database(ledger.config.projectionsPath);
    db.exec("UPDATE projection_checkpoints SET version = 'other' WHERE name = 'complaints'; UPDATE rm_complaints SET status = 'closed'");
    db.close();

    const checked = await ledger.readModels.check('a test');

    expect(checked).toMatchObject({ status: 'consistent', mismatched: ['complaints'] });
    expect(await ledger.queries.readModels.list({}, { limit: 10 }, {})).toEqual(before);
  });
});

describe('in a service process (the API, with threads)', () => {
  it("the read models' check replays the log on a thread of its own: the service's connection to the log is not read while it runs", async () => {
    const ledger = await startedLedger('threaded', 'api', { LEDGER_READ_MODEL_CHECK_SECONDS: '0' });
    try {
      await receiveComplaints(ledger, 6);
      await ledger.readSide.runner.catchUp();
      const db = new Database(ledger.config.projectionsPath);
      db.exec("UPDATE rm_complaints SET status = 'closed' WHERE rowid = 2");
      db.close();
      const readAll = jest.spyOn(ledger.store, 'readAll');

      const found = await ledger.readModels.check('a test');

      expect(found).toMatchObject({ status: 'consistent', mismatched: ['complaints'] }); // found on the thread, repaired
      expect(readAll).not.toHaveBeenCalled();
    } finally {
      await ledger.close();
    }
  });
});

describe('a service stopping while the read models are checked', () => {
  it('abandons the check where it stands rather than waiting for it: the scratch copy is removed, the status is what it was', async () => {
    const ledger = await startedLedger('stopping', 'api', { LEDGER_READ_MODEL_CHECK_SECONDS: '0' });
    await receiveComplaints(ledger, 1_500);
    await ledger.readSide.runner.catchUp();
    const before = ledger.readModels.status;
    const scratch = `${ledger.config.projectionsPath}.check.sqlite`;
    const checked = ledger.readModels.check('a test');
    while (!existsSync(scratch)) await new Promise((resolve) => setTimeout(resolve, 5)); // the replay has begun

    await ledger.close();

    expect(await checked).toEqual(before);
    expect(existsSync(scratch)).toBe(false);
  });
});
