import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { receiveCommand } from '../../domain/test/support/builders';
import { verifyCommand } from '../../../apps/ledger-worker/src/verify-command';
import { backupLedger, Ledger, loadConfig, restoreLedger } from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * Documents are kept with the rest of the record: `npm run backup` takes the documents folder with
 * the log and the keys, `npm run restore` puts it back, and `npm run verify` finds a document
 * missing or altered on disk, offline and without any key.
 */
const root = mkdtempSync(join(tmpdir(), 'ledger-documents-kept-'));
const keyFile = signingKeyFile(root);
const live = join(root, 'live');
const PDF = readFileSync(join(__dirname, '../../../test/fixtures/letter.pdf'));
const settings = (folder: string) =>
  loadConfig({
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_SIGNING_KEY_FILE: keyFile,
    LEDGER_RETENTION_YEARS: '0',
  });
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
let documentId: string;

const verify = async (...args: string[]) => {
  const printed: string[] = [];
  const status = await verifyCommand(
    args,
    (text) => printed.push(text),
    (text) => printed.push(text),
  );
  return { status, text: printed.join('\n') };
};
const documentFiles = (folder: string) =>
  (readdirSync(join(folder, 'documents'), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

beforeAll(async () => {
  mkdirSync(live);
  const ledger = Ledger.open(settings(live), { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });
  await ledger.start();
  const complaintId = randomUUID();
  await ledger.write.execute({
    complaintId,
    command: { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand,
    actor: 'api-key:case-system',
    correlationId: randomUUID(),
  });
  documentId = (
    await ledger.evidence.documents!.attach({
      complaintId,
      title: 'Survey',
      kind: 'survey',
      direction: 'inbound',
      dated: '2024-05-02T10:00:00Z',
      content: (async function* () {
        yield PDF;
      })(),
      actor: 'api-key:case-system',
      correlationId: randomUUID(),
    })
  ).documentId;
  await ledger.close();
});

it('npm run verify checks every document the log records: all present and unaltered', async () => {
  const { status, text } = await verify(live, '--public-key', keyFile);
  expect(text).toMatch(/documents: +1 recorded, checked against .*: all present and unaltered/);
  expect(status).toBe(0);
});

it('a backup holds the documents, and a restore puts them back where a service finds them', async () => {
  const file = join(root, 'backup.tar');
  const manifest = await backupLedger(settings(live), file);
  expect(manifest.documents).toEqual({ files: 1, bytes: expect.any(Number) });
  expect(manifest.files.map((entry) => entry.name)).toContainEqual(expect.stringMatching(new RegExp(`^documents/../${documentId}$`)));
  const restored = join(root, 'restored');
  const result = await restoreLedger(settings(restored), file, restored);
  expect(result.documents).toBe(join(restored, 'documents'));
  expect(readFileSync(documentFiles(restored)[0]!)).toEqual(readFileSync(documentFiles(live)[0]!));
  expect((await verify(restored, '--public-key', keyFile)).status).toBe(0);
  const ledger = Ledger.open(settings(restored), { role: 'api', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });
  const complaintId = (await ledger.store.readAll(-1, 10))
    .find((event) => event.type === 'DocumentAttached')!
    .streamId.slice('complaint-'.length);
  const { content } = await ledger.evidence.documents!.open(complaintId, documentId);
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk);
  expect(Buffer.concat(chunks)).toEqual(PDF);
  await ledger.close();
});

it('npm run verify reports a document altered or removed on disk as tampering, and exits 1', async () => {
  const copy = join(root, 'altered');
  const file = join(root, 'backup-for-tampering.tar');
  await backupLedger(settings(live), file);
  await restoreLedger(settings(copy), file, copy);
  const [stored] = documentFiles(copy);
  const bytes = readFileSync(stored!);
  bytes[bytes.length - 1]! ^= 0x01;
  writeFileSync(stored!, bytes);
  const altered = await verify(copy, '--public-key', keyFile);
  expect(altered.status).toBe(1);
  expect(altered.text).toMatch(/documents: .*TAMPERED/);
  expect(altered.text).toMatch(new RegExp(`altered: document ${documentId} \\(complaint-[0-9a-f-]+, revision 1\\)`));
  rmSync(stored!);
  const removed = await verify(copy, '--public-key', keyFile);
  expect(removed.status).toBe(1);
  expect(removed.text).toContain(`missing: document ${documentId}`);
});
