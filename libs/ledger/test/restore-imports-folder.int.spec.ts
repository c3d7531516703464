import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { receiveCommand } from '../../domain/test/support/builders';
import { backupLedger, Ledger, loadConfig, restoreLedger } from '../src';
import { ImportJournal } from '../src/import/journal';

/**
 * A restore in place refuses while an import is under way in the imports folder (its journal counts
 * rows decided into the log the restore replaces: a re-run would skip them), and only then: a saved
 * mapping and a finished import's reports are the landlord's, not derived from the log (a restore
 * refused any file there; found by a helper reviewing).
 */
const root = mkdtempSync(join(tmpdir(), 'review-restore-imports-'));
const data = join(root, 'data');
const settings = () =>
  loadConfig({
    LEDGER_SQLITE_PATH: join(data, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_RETENTION_YEARS: '0',
  });
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

it('restores in place beside a saved mapping and a finished import, not beside an import under way', async () => {
  mkdirSync(data);
  const live = Ledger.open(settings(), { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });
  await live.start();
  await live.verification;
  const complaintId = randomUUID();
  await live.write.execute({
    complaintId,
    command: { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand,
    actor: 'api-key:case-system',
    correlationId: randomUUID(),
  });
  const backupFile = join(root, 'backup.tar');
  await backupLedger(settings(), backupFile);
  await live.close();
  // the operator's saved mapping (PUT /v1/imports/mappings/legacy), which nothing derives from the log
  mkdirSync(join(data, 'imports', 'mappings'), { recursive: true });
  writeFileSync(join(data, 'imports', 'mappings', 'legacy.json'), '{}\n');
  const aside = join(root, 'aside');
  mkdirSync(aside);
  for (const name of readdirSync(data)) if (name !== 'imports') renameSync(join(data, name), join(aside, name));
  // an interrupted import of another file: refused, named
  const interrupted = join(data, 'imports', randomUUID());
  mkdirSync(interrupted);
  const journal = ImportJournal.open(interrupted);
  journal.setMeta({ id: 'x', status: 'running' });
  journal.close();
  await expect(restoreLedger(settings(), backupFile, null)).rejects.toThrow(/journal\.sqlite exist/);
  // ended failed (a service closing, a full disk), a run of its file resumes it: refused too
  const failed = ImportJournal.open(interrupted);
  failed.setMeta({ status: 'failed' });
  failed.close();
  await expect(restoreLedger(settings(), backupFile, null)).rejects.toThrow(/journal\.sqlite exist/);
  // done, it is the landlord's record: kept, and the restore goes ahead
  const ended = ImportJournal.open(interrupted);
  ended.setMeta({ status: 'done' });
  ended.close();
  await expect(restoreLedger(settings(), backupFile, null)).resolves.toBeDefined();
});
