import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { SqliteEventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import { receiveCommand } from '../../domain/test/support/builders';
import { CheckpointVerifyingKey, Ledger, loadConfig, readMark, verifyLedger, verifySinceMark, type VerifiedMark } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * Start-up verification carries on from a signed mark (the state after the last checkpoint it
 * verified) instead of reading the whole log again, and still finds what an attacker changes:
 * after the mark at once, before it in the background pass over the whole log.
 */
const root = mkdtempSync(join(tmpdir(), 'ledger-mark-'));
const keyFile = signingKeyFile(root);
const key = CheckpointVerifyingKey.fromFile(keyFile);
const original = join(root, 'original');
const complaints: string[] = [];
type Logger = { log(line: string): void; warn(line: string): void; error(line: string): void };
const quiet: Logger = { log: () => undefined, warn: () => undefined, error: () => undefined };

function open(folder: string, env: Record<string, string> = {}, logger: Logger = quiet): Ledger {
  const config = loadConfig({
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_SIGNING_KEY_FILE: keyFile,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '5',
    LEDGER_RETENTION_YEARS: '0',
    ...env,
  });
  return Ledger.open(config, { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => logger });
}

/** Records complaints (three facts each) through the write path. */
async function record(ledger: Ledger, count: number, onto: string[] = []): Promise<string[]> {
  const send = (complaintId: string, command: ComplaintCommand) =>
    ledger.write.execute({ complaintId, command, actor: 'api-key:case-system', correlationId: randomUUID() });
  const ids = [...onto];
  for (let n = 0; n < count; n++) ids.push(randomUUID());
  for (const complaintId of ids) {
    if (!onto.includes(complaintId))
      await send(complaintId, { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand);
    await send(complaintId, {
      type: 'RecordCorrespondence',
      data: { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'outbound', party: 'resident', channel: 'email', summary: 'Letter' },
    });
    await ledger.integrity.tick();
  }
  return ids;
}

beforeAll(async () => {
  mkdirSync(original);
  const ledger = open(original);
  await ledger.start();
  await ledger.verification;
  complaints.push(...(await record(ledger, 6)));
  await ledger.close(); // the last checkpoint, read back: the mark stands on it
});

/** A copy of the stopped ledger's folder (log and mark), altered with plain SQL as the sqlite3 tool would. */
function copy(alter: (db: Database.Database) => void = () => undefined): string {
  const folder = join(root, randomUUID());
  mkdirSync(folder);
  // the residents' key file too: the data keys the events name are checked against it (decision 0023)
  for (const file of ['ledger.sqlite', 'ledger.sqlite-wal', 'keys.sqlite', 'keys.sqlite-wal', 'verified-mark.json'])
    if (existsSync(join(original, file))) copyFileSync(join(original, file), join(folder, file));
  const db = new Database(join(folder, 'ledger.sqlite'));
  alter(db);
  db.close();
  return folder;
}

const stream = (n: number) => `complaint-${complaints[n]}`;
const markOf = (folder: string) => JSON.parse(readFileSync(join(folder, 'verified-mark.json'), 'utf8')) as VerifiedMark;

/** Opens a ledger on `folder` and waits for its start-up verification; the lines it logged. */
async function started(folder: string, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = {
    log: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
    error: (line: string) => lines.push(line),
  };
  const ledger = open(folder, env, logger);
  await ledger.start();
  await ledger.verification;
  return { ledger, lines, atStart: ledger.integrity.readiness() };
}

/** Appends more complaints, as a process without the signing key would (no checkpoint, no mark). */
async function appendUnsigned(folder: string, onto: string[] = [], count = 2): Promise<void> {
  const ledger = open(folder, { LEDGER_SIGNING_KEY_FILE: '' });
  await ledger.start();
  await ledger.verification;
  await record(ledger, onto.length ? 0 : count, onto);
  await ledger.close();
}

it('a clean shutdown leaves a mark signed by the ledger, standing on the last checkpoint', async () => {
  const store = new SqliteEventStore(join(original, 'ledger.sqlite'));
  const log = await store.readAll(-1, 10_000);
  await store.close();
  const mark = markOf(original);
  expect(readMark(join(original, 'verified-mark.json'), key)).toEqual({ mark });
  expect(log.at(-1)).toMatchObject({ streamId: 'ledger-checkpoints', type: 'LedgerCheckpointed', position: mark.position });
  expect(mark.head).toMatchObject({ position: mark.position, events: log.length });
  expect(mark.streams).toBe(complaints.length + 1);
});

it('given nothing after the mark, a start reads no event of the log, then verifies the whole log in the background', async () => {
  const folder = copy();
  const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
  let eventsRead = 0;
  const counting = {
    readAll: async (after: number, limit: number) => ((page) => ((eventsRead += page.length), page))(await store.readAll(after, limit)),
    readStream: (streamId: string) => store.readStream(streamId),
  };
  const verdict = await verifySinceMark(counting, markOf(folder), { key });
  await store.close();
  expect(verdict).toMatchObject({ valid: true, head: markOf(folder).head, streams: complaints.length + 1 });
  expect(eventsRead).toBe(0);

  const { ledger, lines, atStart } = await started(folder);
  expect(atStart).toMatchObject({ status: 'intact', verified: 'since-mark' });
  expect(lines.join('\n')).toMatch(/verified from its mark to the end/);
  await ledger.integrity.wholeLogPass;
  expect(ledger.integrity.readiness()).toMatchObject({ status: 'intact', verified: 'whole-log' });
  await ledger.close();
});

it('given complaints recorded after the mark, a start verifies them and the mark moves on to its new checkpoint', async () => {
  const folder = copy();
  await appendUnsigned(folder);
  const before = markOf(folder);
  const { ledger, atStart } = await started(folder);
  expect(atStart).toMatchObject({ status: 'intact', verified: 'since-mark' });
  await ledger.close();
  expect(markOf(folder).head.events).toBe(before.head.events + 2 * 2 + 1); // two complaints of two facts, and a checkpoint
});

it('given an event altered after the mark, the start itself finds it: broken before any background pass', async () => {
  const folder = copy();
  await appendUnsigned(folder);
  const db = new Database(join(folder, 'ledger.sqlite'));
  const last = db.prepare("SELECT MAX(position) FROM events WHERE stream_id LIKE 'complaint-%'").pluck().get() as number;
  db.prepare("UPDATE events SET data = replace(data, '2024-05-03', '2024-05-04') WHERE position = ?").run(last);
  db.close();
  const { ledger, atStart } = await started(folder, { LEDGER_VERIFY_WHOLE_LOG_AT_START: 'false' }); // the start alone
  expect(atStart).toMatchObject({ status: 'broken', break: expect.stringMatching(/event-altered/) });
  await ledger.close();
});

it('given a complaint continued after the mark, its earlier events are checked again: one altered before the mark is found at start', async () => {
  const folder = copy();
  await appendUnsigned(folder, [complaints[0]!]);
  const db = new Database(join(folder, 'ledger.sqlite'));
  db.prepare("UPDATE events SET data = replace(data, '2024-05-03', '2024-05-04') WHERE stream_id = ? AND revision = 1").run(stream(0));
  db.close();
  const { ledger, atStart } = await started(folder, { LEDGER_VERIFY_WHOLE_LOG_AT_START: 'false' }); // the start alone
  expect(atStart).toMatchObject({ status: 'broken', break: expect.stringMatching(/\(event-altered\): revision 1's content/) });
  await ledger.close();
});

describe('given a whole complaint deleted from before the mark', () => {
  const alter = (db: Database.Database) => db.prepare('DELETE FROM events WHERE stream_id = ?').run(stream(3));

  it('the start from the mark cannot see it, and the background pass over the whole log finds it', async () => {
    const { ledger, atStart } = await started(copy(alter));
    expect(atStart).toMatchObject({ status: 'intact', verified: 'since-mark' });
    await ledger.integrity.wholeLogPass;
    expect(ledger.integrity.readiness()).toMatchObject({ status: 'broken', break: expect.stringMatching(/checkpoint-mismatch/) });
    await ledger.close();
  });

  it("with the background pass turned off, only `npm run verify` (or the auditor's endpoint) would find it: the cost of the setting", async () => {
    const { ledger } = await started(copy(alter), { LEDGER_VERIFY_WHOLE_LOG_AT_START: 'false' });
    await ledger.integrity.wholeLogPass;
    expect(ledger.integrity.readiness()).toMatchObject({ status: 'intact', verified: 'since-mark' });
    expect((await ledger.integrity.verify()).break).toMatchObject({ kind: 'checkpoint-mismatch' });
    await ledger.close();
  });
});

it('given the log cut back to before the checkpoint the mark stands on, the start finds it with no witness file', async () => {
  const folder = copy((db) => {
    const last = db.prepare("SELECT MAX(position) FROM events WHERE stream_id LIKE 'complaint-%'").pluck().get() as number;
    db.prepare('DELETE FROM events WHERE position >= ?').run(last);
  });
  const { ledger, atStart } = await started(folder);
  expect(atStart).toMatchObject({ status: 'broken', break: expect.stringMatching(/witness-missing.*no longer in the log/) });
  await ledger.close();
});

it("given a mark edited to stand further on, it is not the ledger's signature: ignored, the whole log verified", async () => {
  const folder = copy();
  const mark = markOf(folder);
  writeFileSync(join(folder, 'verified-mark.json'), JSON.stringify({ ...mark, head: { ...mark.head, events: mark.head.events + 1 } }));
  const { ledger, lines, atStart } = await started(folder);
  expect(lines.join('\n')).toMatch(/verifying the whole log \(.*not signed by the ledger's key\)/);
  expect(atStart).toMatchObject({ status: 'intact', verified: 'whole-log' });
  await ledger.close();
});

describe('memory stays flat: the verifier keeps a bounded number of streams and reads a stream again when it meets one it let go', () => {
  const verify = async (folder: string, streamCache?: number) => {
    const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
    const readStream = (streamId: string) => store.readStream(streamId);
    // one complaint's events spread through the log, so streams are let go and met again
    const interleaved = async (after: number, limit: number): Promise<RecordedEvent[]> => store.readAll(after, limit);
    try {
      return await verifyLedger(interleaved, { key, ...(streamCache ? { readStream, streamCache } : {}), pageSize: 3 });
    } finally {
      await store.close();
    }
  };

  it('with room for one stream, the verdict is the same as with room for all', async () => {
    const folder = copy();
    await appendUnsigned(folder, complaints.slice(0, 3)); // complaints 0–2 continued after the others
    expect(await verify(folder, 1)).toEqual(await verify(folder));
    expect((await verify(folder, 1)).valid).toBe(true);
  });

  it.each([
    ['a deleted event', (db: Database.Database) => db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(stream(1))],
    [
      'an altered event',
      (db: Database.Database) =>
        db
          .prepare("UPDATE events SET data = replace(data, '2024-05-03', '2024-05-04') WHERE stream_id = ? AND revision = 2")
          .run(stream(2)),
    ],
  ])('with room for one stream, %s in a complaint met again is found where room for all finds it', async (_, alter) => {
    const folder = copy();
    await appendUnsigned(folder, complaints.slice(0, 3));
    const db = new Database(join(folder, 'ledger.sqlite'));
    alter(db);
    db.close();
    const bounded = await verify(folder, 1);
    expect(bounded.valid).toBe(false);
    expect(bounded).toEqual(await verify(folder));
  });
});
