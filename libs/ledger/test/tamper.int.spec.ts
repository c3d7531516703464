import Database from 'better-sqlite3';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_STREAM, type ComplaintCommand, type LedgerHead } from '@complaint-ledger/domain';
import { chain, hashEvent, SqliteEventStore, toRecorded, type EventRow, type RecordedEvent } from '@complaint-ledger/event-store';
import { receiveCommand } from '../../domain/test/support/builders';
import { verifyCommand } from '../../../apps/ledger-worker/src/verify-command';
import {
  CheckpointSigningKey,
  CheckpointVerifyingKey,
  Ledger,
  LedgerChain,
  loadConfig,
  readWitness,
  verifyLedger,
  type LedgerVerdict,
} from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * The eight ways of altering a stopped ledger's SQLite file that an attacker with the file (and
 * the sqlite3 tool) could try, each detected by the verifier; and none reported for a ledger
 * that was only used.
 */
const folder = mkdtempSync(join(tmpdir(), 'ledger-tamper-'));
const keyFile = signingKeyFile(mkdtempSync(join(tmpdir(), 'ledger-tamper-keys-'))); // kept apart from the data, as verify insists
const original = join(folder, 'ledger.sqlite');
const witness = join(folder, 'witness.jsonl');
const key = CheckpointVerifyingKey.fromFile(keyFile);
const complaints: string[] = [];

beforeAll(async () => {
  const config = loadConfig({
    LEDGER_SQLITE_PATH: original,
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_SIGNING_KEY_FILE: keyFile,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '5',
    LEDGER_CHECKPOINT_WITNESS_FILE: witness,
    LEDGER_RETENTION_YEARS: '0',
  });
  const ledger = Ledger.open(config, { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quietLogger });
  await ledger.start();
  await ledger.verification;
  const send = (complaintId: string, command: ComplaintCommand) =>
    ledger.write.execute({ complaintId, command, actor: 'api-key:case-system', correlationId: randomUUID() });
  for (let n = 0; n < 6; n++) {
    const complaintId = randomUUID();
    complaints.push(complaintId);
    await send(complaintId, { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand);
    await send(complaintId, {
      type: 'AcknowledgeComplaint',
      data: { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak under the sink' },
    });
    await send(complaintId, {
      type: 'RecordCorrespondence',
      data: { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'outbound', party: 'resident', channel: 'email', summary: 'Letter' },
    });
    await ledger.integrity.tick();
  }
  await ledger.close(); // the last checkpoint, over everything
});

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A copy of the ledger's file, altered by `alter` with plain SQL, as the sqlite3 tool would. */
function tampered(alter: (db: Database.Database) => void): string {
  const copy = join(folder, `copy-${randomUUID()}.sqlite`);
  copyFileSync(original, copy);
  if (existsSync(`${original}-wal`)) copyFileSync(`${original}-wal`, `${copy}-wal`);
  const db = new Database(copy);
  alter(db);
  db.close();
  return copy;
}

async function verdictOf(path: string, verifyWith: CheckpointVerifyingKey | null = key): Promise<LedgerVerdict> {
  const store = new SqliteEventStore(path);
  try {
    return await verifyLedger((after, limit) => store.readAll(after, limit), { key: verifyWith, witnessed: readWitness(witness) });
  } finally {
    await store.close();
  }
}

const eventsOf = (db: Database.Database, streamId: string) =>
  (db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(streamId) as EventRow[]).map(recorded);
const recorded = toRecorded;

/** Rewrites a stream's events with `change`, recomputing its hash chain so it verifies on its own. */
function rewriteStream(db: Database.Database, streamId: string, change: (event: RecordedEvent) => RecordedEvent): void {
  let prevHash = '0'.repeat(64);
  for (const event of eventsOf(db, streamId).map(change)) {
    const { recordedAt, prevHash: _, hash: __, ...metadata } = event.metadata;
    const sealed = chain(
      streamId,
      event.revision,
      { eventId: event.eventId, type: event.type, data: event.data, metadata },
      prevHash,
      recordedAt,
    );
    db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(
      JSON.stringify(sealed.data),
      JSON.stringify(sealed.metadata),
      event.position,
    );
    prevHash = sealed.metadata.hash;
  }
}

const stream = (n: number) => `complaint-${complaints[n]}`;

it('a ledger that was only used verifies: every event, stream, checkpoint and signature, the witness file', async () => {
  const verdict = await verdictOf(original);
  expect(verdict.break).toBeNull();
  expect(verdict.valid).toBe(true);
  expect(verdict.head.events).toBeGreaterThan(18);
  expect(verdict.checkpoints.found).toBe(3); // every 5 events: after complaints 2, 4 and 6 (3 events each)
  expect(verdict.checkpoints.verified).toBe(verdict.checkpoints.found);
  expect(verdict.checkpoints.latest).toMatchObject({ signatureChecked: true });
  expect(verdict.eventsAfterLatestCheckpoint).toBe(0); // the last checkpoint covers every complaint event
  expect(readWitness(witness)).toHaveLength(verdict.checkpoints.found);
});

it.each<[string, (db: Database.Database) => void, { kind: string; stream?: number; revision?: number }]>([
  [
    'a changed payload byte',
    (db) =>
      db.prepare("UPDATE events SET data = replace(data, '2024-05-02', '2024-05-03') WHERE stream_id = ? AND revision = 1").run(stream(2)),
    { kind: 'event-altered', stream: 2, revision: 1 },
  ],
  [
    'a deleted event in the middle of a complaint',
    (db) => db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(stream(1)),
    { kind: 'stream-broken', stream: 1, revision: 2 },
  ],
  [
    "a deleted complaint's last event",
    (db) => db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(stream(0)),
    { kind: 'checkpoint-mismatch' },
  ],
  [
    'a whole complaint deleted',
    (db) => db.prepare('DELETE FROM events WHERE stream_id = ?').run(stream(3)),
    { kind: 'checkpoint-mismatch' },
  ],
  [
    "a complaint's revisions swapped",
    (db) => {
      db.prepare('UPDATE events SET revision = -1 WHERE stream_id = ? AND revision = 1').run(stream(4));
      db.prepare('UPDATE events SET revision = 1 WHERE stream_id = ? AND revision = 2').run(stream(4));
      db.prepare('UPDATE events SET revision = 2 WHERE stream_id = ? AND revision = -1').run(stream(4));
    },
    { kind: 'stream-broken', stream: 4 },
  ],
  [
    "two complaints' events swapped in the log's order (global positions), each complaint's own order kept",
    (db) => {
      // complaint 0's last event and complaint 1's first: each stream still reads in revision order
      const at = (n: number, revision: number) =>
        db.prepare('SELECT position FROM events WHERE stream_id = ? AND revision = ?').pluck().get(stream(n), revision) as number;
      const [a, b] = [at(0, 2), at(1, 0)];
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a, b);
      db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b);
    },
    { kind: 'checkpoint-mismatch' },
  ],
  [
    "a complaint's actor rewritten, its stream's hash chain recomputed",
    (db) => rewriteStream(db, stream(5), (event) => ({ ...event, metadata: { ...event.metadata, actor: 'api-key:someone-else' } })),
    { kind: 'checkpoint-mismatch' },
  ],
])('detects %s', async (_, alter, { stream: n, ...expected }) => {
  const verdict = await verdictOf(tampered(alter));
  expect(verdict.valid).toBe(false);
  expect(verdict.break).toMatchObject({ ...expected, ...(n === undefined ? {} : { streamId: stream(n) }) });
});

describe('a rewrite with the ledger chain and the checkpoints recomputed too, by someone without the signing key', () => {
  /** Rewrites complaint 5, then every checkpoint to the recomputed chain, re-signed by `signer` (or keeping the old signatures). */
  const forge = (signer: CheckpointSigningKey | null) =>
    tampered((db) => {
      rewriteStream(db, stream(5), (event) => ({ ...event, data: { ...event.data, summary: 'Nothing to see' } }));
      const chainOfLog = new LedgerChain();
      const heads = new Map<number, LedgerHead>();
      const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as EventRow[];
      for (const row of rows) {
        let event = recorded(row);
        if (event.streamId === CHECKPOINT_STREAM) {
          const covered = heads.get((event.data as LedgerHead).position)!;
          const data = signer
            ? signer.sign(covered, (event.data as { at: string }).at)
            : { ...(event.data as object), events: covered.events, head: covered.head };
          rewriteStream(db, CHECKPOINT_STREAM, (e) => (e.position === event.position ? { ...e, data } : e));
          event = recorded(db.prepare('SELECT * FROM events WHERE position = ?').get(row.position) as EventRow);
        }
        expect(hashEvent({ ...event, metadata: (({ hash: _, ...rest }) => rest)(event.metadata) })).toBe(event.metadata.hash);
        chainOfLog.add(event);
        heads.set(event.position, chainOfLog.head);
      }
    });

  it('keeping the old signatures: the first checkpoint after the rewrite is not signed by the ledger', async () => {
    expect((await verdictOf(forge(null))).break).toMatchObject({ kind: 'checkpoint-forged' });
  });

  it("signed with the attacker's own key: not the ledger's key", async () => {
    const theirs = join(folder, 'their-key.pem');
    writeFileSync(theirs, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect((await verdictOf(forge(CheckpointSigningKey.fromFile(theirs)))).break).toMatchObject({ kind: 'checkpoint-forged' });
  });
});

it('a log cut back to before its last checkpoints, checkpoints and all: the witness file still holds them', async () => {
  const copy = tampered((db) => {
    const last = db.prepare("SELECT MAX(position) FROM events WHERE stream_id LIKE 'complaint-%'").pluck().get() as number;
    db.prepare('DELETE FROM events WHERE position >= ?').run(last);
  });
  expect((await verdictOf(copy)).break).toMatchObject({ kind: 'witness-missing' });
});

describe('npm run verify (offline, read-only)', () => {
  const run = async (...args: string[]) => {
    const printed: string[] = [];
    const status = await verifyCommand(
      args,
      (text) => printed.push(text),
      (text) => printed.push(text),
    );
    return { status, text: printed.join('\n') };
  };

  it('prints INTACT and exits 0 for the ledger as it was used, checking the signatures', async () => {
    const { status, text } = await run(original, '--public-key', keyFile, '--witness', witness);
    expect(status).toBe(0);
    expect(text).toMatch(/^INTACT/);
    expect(text).toMatch(/3 found, 3 signatures verified/);
  });

  it('prints ALTERED, the first break and where, and exits 1 for an altered copy, changing nothing', async () => {
    const copy = tampered((db) => db.prepare('DELETE FROM events WHERE stream_id = ?').run(stream(3)));
    const before = readFileSync(copy);
    const { status, text } = await run(copy, '--public-key', keyFile);
    expect(status).toBe(1);
    expect(text).toMatch(/^ALTERED/);
    expect(text).toMatch(/first break: +checkpoint-mismatch at position \d+/);
    expect(readFileSync(copy).equals(before)).toBe(true);
  });

  it('names a damaged event by stream and revision', async () => {
    const copy = tampered((db) => db.prepare("UPDATE events SET data = '{\"broken' WHERE stream_id = ? AND revision = 1").run(stream(2)));
    const { status, text } = await run(copy, '--public-key', keyFile);
    expect(status).toBe(1);
    expect(text).toContain(`unreadable at position`);
    expect(text).toContain(`(${stream(2)}, revision 1)`);
  });

  it('without a public key never says INTACT nor exits 0: the signatures were not checked (exit 3); 2 without a ledger', async () => {
    const unpinned = await run(original, '--witness', witness);
    expect(unpinned.status).toBe(3);
    expect(unpinned.text).not.toMatch(/INTACT/);
    expect(unpinned.text).toMatch(/^NOT VERIFIED: .*signatures were NOT checked/);
    expect(unpinned.text).toMatch(/NO PUBLIC KEY GIVEN/);
    expect((await run(join(folder, 'nothing-here.sqlite'))).status).toBe(2);
    expect((await run()).status).toBe(2);
  });

  it('never takes the key from inside the folder it checks, given or found there, even under its usual name', async () => {
    const data = join(folder, `data-${randomUUID()}`);
    mkdirSync(data);
    copyFileSync(original, join(data, 'ledger.sqlite'));
    if (existsSync(`${original}-wal`)) copyFileSync(`${original}-wal`, join(data, 'ledger.sqlite-wal'));
    copyFileSync(keyFile, join(data, 'local-signing-key.pem')); // as npm start leaves it
    expect(await run(data, '--witness', witness)).toMatchObject({ status: 3 });
    const given = await run(data, '--public-key', join(data, 'local-signing-key.pem'), '--witness', witness);
    expect(given.status).toBe(3);
    expect(given.text).toMatch(/inside .*: not used/);
    expect(await run(data, '--public-key', keyFile, '--witness', witness)).toMatchObject({ status: 0 }); // kept elsewhere: pinned
  });
});
