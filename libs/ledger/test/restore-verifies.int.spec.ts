import Database from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { chain, toRecorded, type EventRow } from '@complaint-ledger/event-store';
import { receiveCommand } from '../../domain/test/support/builders';
import { verifyCommand } from '../../../apps/ledger-worker/src/verify-command';
import { backupLedger, Ledger, loadConfig, restoreLedger, type BackupManifest } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * `npm run restore` says it refuses "a log that does not verify" and restores nothing then
 * (docs/operations.md, "Backup and restore"). A backup's SHA-256s are in its own manifest, which
 * anyone editing the file can recompute, so the restore's own verification is what stands
 * between an edited backup and the live folder. It must be as strict as `npm run verify` with the
 * same keys: the events' MACs (LEDGER_EVENT_KEY_FILE) and the residents' key file checked against
 * the log (the master key). Otherwise a backup `npm run verify` calls ALTERED is restored as
 * INTACT, and the service started on it refuses every write.
 */
const root = mkdtempSync(join(tmpdir(), 'ledger-restore-verifies-'));
const keys = join(root, 'keys'); // kept apart from the data, as deployments keep them
mkdirSync(keys);
const signingKey = signingKeyFile(keys);
const eventKey = join(keys, 'event-keys');
writeFileSync(eventKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
const masterKey = join(keys, 'master-key');
writeFileSync(masterKey, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
const live = join(root, 'live');
const settings = (folder: string, master = masterKey) =>
  loadConfig({
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_MASTER_KEY_FILE: master,
    LEDGER_EVENT_KEY_FILE: eventKey,
    LEDGER_SIGNING_KEY_FILE: signingKey,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_RETENTION_YEARS: '0',
  });
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const complaints: string[] = [];
const backupFile = join(root, 'backup.tar');

const verify = async (folder: string) => {
  const printed: string[] = [];
  const say = (text: string) => printed.push(text);
  const status = await verifyCommand(
    [folder, '--public-key', signingKey, '--event-key', eventKey, '--master-key', masterKey],
    say,
    say,
    {},
  );
  return { status, text: printed.join('\n') };
};

beforeAll(async () => {
  mkdirSync(live);
  const ledger = Ledger.open(settings(live), { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });
  await ledger.start();
  for (const [reference, name] of [
    ['RES-ALICE', 'Alice Example'],
    ['RES-BOB', 'Bob Example'],
  ]) {
    const complaintId = randomUUID();
    const command = receiveCommand();
    await ledger.write.execute({
      complaintId,
      command: { ...command, data: { ...command.data, complaintId, resident: { reference, name } } } as ComplaintCommand,
      actor: 'api-key:case-system',
      correlationId: randomUUID(),
    });
    complaints.push(complaintId);
  }
  await ledger.close();
  await backupLedger(settings(live), backupFile);
});

/** The backup, unpacked into a folder of its own, altered by `alter`, its manifest's SHA-256s recomputed, packed again. */
async function edited(name: string, alter: (folder: string) => void): Promise<{ file: string; folder: string }> {
  const folder = join(root, `${name}-unpacked`);
  mkdirSync(folder);
  await tar.extract({ file: backupFile, cwd: folder });
  alter(folder);
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as BackupManifest;
  const files = manifest.files.map((entry) => {
    const bytes = readFileSync(join(folder, entry.name));
    return { ...entry, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...manifest, files }, null, 2));
  const file = join(root, `${name}.tar`);
  await tar.create({ file, cwd: folder, portable: true }, ['manifest.json', ...files.map((entry) => entry.name)]);
  return { file, folder };
}

function opened(folder: string, file: string, alter: (db: Database.Database) => void): void {
  const db = new Database(join(folder, file));
  alter(db);
  db.close();
}

it('an edited backup whose log `npm run verify` finds forged (a MAC made up) is refused, and nothing is restored', async () => {
  const { file, folder } = await edited('forged', (unpacked) =>
    opened(unpacked, 'ledger.sqlite', (db) => {
      const streamId = `complaint-${complaints[0]}`;
      const head = toRecorded(
        db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(streamId) as EventRow,
      );
      const metadata = {
        occurredAt: '2024-05-20T09:00:00.000Z',
        actor: 'api-key:case-system',
        correlationId: randomUUID(),
        schemaVersion: 1,
      };
      const madeUp = { keyId: head.metadata.macKeyId!, mac: () => randomBytes(32).toString('base64url') };
      const data = { complaintId: complaints[0], stage: 1, acknowledgedAt: '2024-05-02T10:00:00.000Z', complaintDefinition: 'Leak' };
      const sealed = chain(
        streamId,
        head.revision + 1,
        { eventId: randomUUID(), type: 'Acknowledged', data, metadata },
        head.metadata.hash,
        new Date().toISOString(),
        madeUp,
      );
      const streamKey = db.prepare('SELECT key FROM streams WHERE name = ?').pluck().get(streamId);
      db.prepare('INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        streamKey,
        streamId,
        head.revision + 1,
        sealed.eventId,
        'Acknowledged',
        JSON.stringify(sealed.data),
        JSON.stringify(sealed.metadata),
      );
    }),
  );
  // what the restore would put in place, `npm run verify` with the ledger's keys calls altered
  const verdict = await verify(folder);
  expect(verdict.status).toBe(1);
  expect(verdict.text).toMatch(/event-unauthenticated|not written by this ledger|MAC/i);

  const target = join(root, 'forged-restored');
  await expect(restoreLedger(settings(target), file, target)).rejects.toThrow(/does not verify/);
  expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false);
});

it("an edited backup whose key file has two residents' keys swapped is refused, and nothing is restored", async () => {
  const { file, folder } = await edited('keys-swapped', (unpacked) =>
    opened(unpacked, 'keys.sqlite', (db) => {
      const rows = db.prepare('SELECT rowid, subject FROM data_keys ORDER BY subject').all() as { rowid: number; subject: string }[];
      expect(rows.map((row) => row.subject)).toEqual(['RES-ALICE', 'RES-BOB']);
      const set = db.prepare('UPDATE data_keys SET subject = ? WHERE rowid = ?');
      set.run('RES-BOB', rows[0]!.rowid);
      set.run('RES-ALICE', rows[1]!.rowid);
    }),
  );
  const verdict = await verify(folder);
  expect(verdict.status).toBe(1);

  const target = join(root, 'keys-swapped-restored');
  await expect(restoreLedger(settings(target), file, target)).rejects.toThrow(/does not verify|altered/);
  expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false);
  expect(existsSync(join(target, 'keys.sqlite'))).toBe(false);
});

it('a backup restored with another master key than the one its keys are wrapped under is refused, naming both, and nothing is restored', async () => {
  const otherKey = join(keys, 'other-master-key');
  writeFileSync(otherKey, `${Buffer.alloc(32, 9).toString('base64')}\n`, { mode: 0o600 });
  const target = join(root, 'other-master-key-restored');
  await expect(restoreLedger(settings(target, otherKey), backupFile, target)).rejects.toThrow(
    /wrapped under master key .* not the configured one/,
  );
  expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false);
  expect(existsSync(join(target, 'keys.sqlite'))).toBe(false);
});

it('the unedited backup restores, saying what it checked', async () => {
  const said: string[] = [];
  const target = join(root, 'restored');
  await restoreLedger(settings(target), backupFile, target, (line) => said.push(line));
  expect(said.join('\n')).toMatch(/INTACT; checked: hashes, chains, signatures, MACs, residents' keys/);
  expect((await verify(target)).status).toBe(0);
});
