import { SqliteEventStore } from '@complaint-ledger/event-store';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markRestore } from '@complaint-ledger/ledger';
import { ensureBuilt, freePort, kill9, killAll, runTool, startApi } from '../../../../test/support/processes';
import { KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { drive, eventsByKey, expectNothingLost, type Sent } from './load';
import { scaled } from '../../../../test/support/timeouts';

/**
 * `npm run backup` while the service takes commands, `kill -9`, `npm run restore` into a new
 * folder: the restored ledger verifies, every command answered before the backup began is in it
 * exactly once with its resident's data readable, and the service starts on it.
 */
jest.setTimeout(scaled(180_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const scratch = mkdtempSync(join(tmpdir(), 'ledger-backup-'));
const signingKey = join(scratch, 'signing-key.pem');
writeFileSync(signingKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const live = join(scratch, 'live');
const env = (folder: string) => ({
  LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
  LEDGER_API_KEYS: TEST_API_KEYS,
  LEDGER_MASTER_KEY: TEST_MASTER_KEY,
  LEDGER_BREACH_SWEEP_SECONDS: '0',
  LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
  LEDGER_SIGNING_KEY_FILE: signingKey,
  LEDGER_CHECKPOINT_EVERY_EVENTS: '50',
  LEDGER_CHECKPOINT_WITNESS_FILE: join(scratch, 'witness.jsonl'),
});

it('a backup taken under load restores into a new folder that verifies and holds every command answered before it began', async () => {
  const service = await startApi(env(live));
  const sent: Sent[] = [];
  const complaints: string[] = [];
  let stopped = false;
  const driving = drive(service.base, sent, complaints, () => stopped, 8);
  await new Promise((r) => setTimeout(r, 800));

  const backupFile = join(scratch, 'backup.tar');
  const began = Date.now();
  const answeredBefore = sent.filter((entry) => entry.acknowledged).map((entry) => entry.key);
  const backup = await runTool('apps/ledger-worker/src/backup.js', [backupFile], env(live));
  expect([backup.status, backup.stderr]).toEqual([0, '']);
  expect(backup.stdout).toMatch(/INTACT/);
  await new Promise((r) => setTimeout(r, 300)); // commands go on after the backup
  await kill9(service.child);
  stopped = true;
  await driving;
  expect(statSync(backupFile).mode & 0o777).toBe(0o600);
  expect(sent.filter((entry) => entry.acknowledged && entry.sentAt > began).length).toBeGreaterThan(0);

  // nothing may already be where the restore would put it
  const refused = await runTool('apps/ledger-worker/src/restore.js', [backupFile, '--into', live], env(live));
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/exist: stop the service and move/);

  const restored = join(scratch, 'restored');
  const restore = await runTool('apps/ledger-worker/src/restore.js', [backupFile, '--into', restored], env(restored));
  expect([restore.status, restore.stderr]).toEqual([0, '']);
  expect(restore.stdout).toMatch(/INTACT/);
  const verify = await runTool('apps/ledger-worker/src/verify.js', [restored, '--public-key', signingKey]);
  expect([verify.status, verify.stdout.split('\n')[0]]).toEqual([0, 'INTACT: the ledger verifies']);

  const store = new SqliteEventStore(join(restored, 'ledger.sqlite'));
  const { byKey } = await eventsByKey(store);
  await store.close();
  expect(answeredBefore.length).toBeGreaterThan(10);
  expect(answeredBefore.filter((key) => byKey.get(key)?.length !== 1)).toEqual([]);
  // what it does hold is whole: chains, keys, and read models rebuilt from it (only commands sent up to the backup count)
  await expectNothingLost(
    restored,
    sent.filter((entry) => byKey.has(entry.key) || answeredBefore.includes(entry.key)),
  );

  // the service starts on the restored folder and reads a resident's name back; the witness file
  // goes on listing the checkpoints signed after the backup (the old one stays as the record of
  // what the restore took back), so a restored ledger starts a new one (docs/operations.md)
  const again = await startApi({ ...env(restored), LEDGER_CHECKPOINT_WITNESS_FILE: join(scratch, 'witness-after-restore.jsonl') });
  const id = (
    (await (await fetch(`${again.base}/v1/complaints?limit=1`, { headers: { 'x-api-key': KEYS.all } })).json()) as {
      items: { id: string }[];
    }
  ).items[0]!.id;
  const history = await fetch(`${again.base}/v1/complaints/${id}/history`, { headers: { 'x-api-key': KEYS.all } });
  expect(JSON.stringify(await history.json())).toContain('Sam Resident');
});

it('a file that is not the backup it was is refused, and nothing is restored', async () => {
  const backupFile = join(scratch, 'backup.tar');
  expect(existsSync(backupFile)).toBe(true);
  const damaged = join(scratch, 'damaged.tar');
  const bytes = readFileSync(backupFile);
  const middle = bytes.length >> 1; // a byte in the middle of a database file
  bytes[middle] = bytes[middle]! ^ 0xff;
  writeFileSync(damaged, bytes);
  const target = join(scratch, 'not-restored');
  const restore = await runTool('apps/ledger-worker/src/restore.js', [damaged, '--into', target], env(target));
  expect(restore.status).toBe(1);
  expect(restore.stderr).toMatch(/SHA-256 differs|does not verify|not a complaint-ledger backup/);
  expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false);
  expect(existsSync(join(target, 'keys.sqlite'))).toBe(false);
});

it('refuses a folder holding anything SQLite keeps beside a database (a rollback journal, read models), and restores nothing', async () => {
  const backupFile = join(scratch, 'backup.tar');
  for (const leftover of ['ledger.sqlite-journal', 'projections.sqlite', 'keys.sqlite-wal']) {
    const target = mkdtempSync(join(scratch, 'leftover-'));
    writeFileSync(join(target, leftover), 'left from before');
    const restore = await runTool('apps/ledger-worker/src/restore.js', [backupFile, '--into', target], env(target));
    expect([leftover, restore.status]).toEqual([leftover, 1]);
    expect(restore.stderr).toContain(leftover);
    expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false);
    expect(existsSync(join(target, 'restore-in-progress'))).toBe(false); // the mark is gone with the restore
  }
});

it('a service does not start on a folder a restore is putting files into', async () => {
  const target = mkdtempSync(join(scratch, 'restoring-'));
  const unmark = markRestore([target]);
  try {
    const started = await runTool('apps/ledger-api/src/main.js', [], { ...env(target), PORT: String(freePort()) }, 30_000);
    expect(started.status).toBe(1);
    expect(started.stdout + started.stderr).toContain('a restore is putting files into');
    expect(existsSync(join(target, 'ledger.sqlite'))).toBe(false); // it opened nothing
  } finally {
    unmark();
  }
});
