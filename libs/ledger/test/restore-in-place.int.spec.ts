import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { receiveCommand } from '../../domain/test/support/builders';
import { backupLedger, Ledger, loadConfig, restoreLedger } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * `npm run restore -- <file>` (no `--into`) puts the backup where the configuration says, once the
 * service is stopped and the files the restore names are moved aside (docs/operations.md, "Backup
 * and restore"). The data folder also holds what the service derived from the log it replaces:
 * `verified-mark.json`, signed over a checkpoint the backup does not hold (a service started on
 * the restored log beside it found its own mark missing, "witness-missing: the log was cut back or
 * replaced", and refused every write). The restore names it with the rest; moved aside, the
 * ledger it restores starts intact and takes writes.
 */
const root = mkdtempSync(join(tmpdir(), 'ledger-restore-in-place-'));
const signingKey = signingKeyFile(root);
const data = join(root, 'data');
const settings = (witness: string) =>
  loadConfig({
    LEDGER_SQLITE_PATH: join(data, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_SIGNING_KEY_FILE: signingKey,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '2',
    LEDGER_CHECKPOINT_WITNESS_FILE: join(root, witness),
    LEDGER_RETENTION_YEARS: '0',
  });
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const open = (witness: string) =>
  Ledger.open(settings(witness), { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });

async function receive(ledger: Ledger, count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    const complaintId = randomUUID();
    await ledger.write.execute({
      complaintId,
      command: { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand,
      actor: 'api-key:case-system',
      correlationId: randomUUID(),
    });
    await ledger.integrity.tick();
  }
}

it('a restore into the configured folder names the verified mark with the rest; all moved aside, the ledger it restores starts intact and takes writes', async () => {
  mkdirSync(data);
  const backupFile = join(root, 'backup.tar');
  const live = open('witness.jsonl');
  await live.start();
  await live.verification;
  await receive(live, 3);
  await backupLedger(settings('witness.jsonl'), backupFile);
  await receive(live, 3); // the ledger goes on after the backup...
  await live.close(); // ...and stops cleanly: its last checkpoint, and the verified mark on it

  // the operator moves aside the log, the keys, the read models and the duties' file, as the restore's refusal names them
  const aside = join(root, 'aside');
  mkdirSync(aside);
  for (const name of readdirSync(data))
    if (/^(ledger|keys|projections|duties)\.sqlite/.test(name)) renameSync(join(data, name), join(aside, name));

  // the restore refuses while what the service derived from the log it replaces is there, naming each, placing nothing
  const refusal = await restoreLedger(settings('witness-after-restore.jsonl'), backupFile, null).then(
    () => null,
    (error: Error) => error,
  );
  expect(refusal?.message).toMatch(/verified-mark\.json.*exist/);
  expect(existsSync(join(data, 'ledger.sqlite'))).toBe(false);
  // moved aside as it names them, the restore goes ahead
  for (const file of refusal!.message.split(' exist:')[0]!.split(', ')) renameSync(file, join(aside, basename(file)));
  await restoreLedger(settings('witness-after-restore.jsonl'), backupFile, null);

  // restored: the service on it (with a new witness file, as the docs say) verifies and takes writes
  const restored = open('witness-after-restore.jsonl');
  await restored.start();
  await restored.verification;
  expect(restored.integrity.readiness()).toMatchObject({ status: 'intact' });
  await expect(receive(restored, 1)).resolves.toBeUndefined();
  await restored.close();
});
