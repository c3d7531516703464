import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore } from '@complaint-ledger/event-store';
import { ImportJournal } from '../../src/import/journal';
import { EXAMPLES, importFile, NOW, openLedgerOn } from './support';

/**
 * A full disk as an import is begun or resumed: starting claims the import's lock, then writes its
 * journal; the write failing threw out of start() with the lock still held by this process, and
 * every later run of the file, once there was room, was refused "this file is being imported now"
 * until the process restarted (found by a helper reviewing). Now nothing begins, and nothing stays claimed.
 */
jest.setTimeout(60_000);

it('a full disk as an interrupted import is resumed lets go of its lock: the file can be run again once there is room', async () => {
  const ledger = openLedgerOn(new MemoryEventStore(() => NOW));
  try {
    const path = join(mkdtempSync(join(tmpdir(), 'import-file-')), 'example.csv');
    writeFileSync(path, readFileSync(join(EXAMPLES, 'example.csv'), 'utf8'));
    // a first run that fails part way (the store unavailable): its journal says failed, and is resumed by the next run
    const record = jest.spyOn(ImportJournal.prototype, 'record').mockImplementationOnce(() => {
      throw new Error('EventStoreDB unavailable');
    });
    const first = await ledger.imports.start({ path, name: 'example.csv' }, { mapping: null, dryRun: false, actor: 'test:importer' });
    expect(await first.finished).toMatchObject({ status: 'failed' });
    record.mockRestore();

    const setMeta = jest.spyOn(ImportJournal.prototype, 'setMeta').mockImplementation(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    await expect(
      ledger.imports.start({ path, name: 'example.csv' }, { mapping: null, dryRun: false, actor: 'test:importer' }),
    ).rejects.toThrow(/disk is full/);
    setMeta.mockRestore();

    const again = await importFile(ledger, path); // ImportRefused: this file is being imported now (import …)
    expect(again.status).toMatchObject({ status: 'done' });
  } finally {
    jest.restoreAllMocks();
    await ledger.close();
  }
});
