import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complaintStream, MemoryEventStore } from '@complaint-ledger/event-store';
import { complaintIdOf, type Ledger } from '../../src';
import { ImportJournal } from '../../src/import/journal';
import { EXAMPLES, importFile, NOW, openLedger, openLedgerOn } from './support';

/**
 * Attacks on the import's promises that the other specs do not cover: the same fact from a later
 * export, a folder left half made, and a journal that cannot be written at the end (disk full).
 */
jest.setTimeout(60_000);

const fileWith = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'import-file-')), name);
  writeFileSync(path, text);
  return path;
};

describe('a later export that repeats a remedy offered without a reference', () => {
  let ledger: Ledger;
  beforeEach(() => (ledger = openLedger()));
  afterEach(() => ledger.close());

  it('skips the offer as already recorded, as it skips every other fact repeated: the remedy is not offered twice', async () => {
    const header = 'complaint,kind,at,channel,tenure,category,summary,resident.reference,type,description,direction,party';
    const receive = 'CMP-7001,ReceiveComplaint,2024-01-08T10:00:00Z,email,LCRA,repairs,Window broken,RES-7001,,,,';
    const offer = 'CMP-7001,OfferRemedy,2024-01-20T10:00:00Z,,,,,,action,Replace the window,,';
    const call = 'CMP-7001,RecordCorrespondence,2024-01-10T10:00:00Z,phone,,,Call,,,,inbound,resident';
    await importFile(ledger, fileWith('january.csv', [header, receive, offer].join('\n')));
    // february's export repeats january's facts, with a call between them: the offer is now its row 4, not 3
    const february = await importFile(ledger, fileWith('february.csv', [header, receive, call, offer].join('\n')));

    expect(february.rows.get(3)).toMatchObject({ outcome: 'accepted' });
    expect(february.rows.get(4)).toMatchObject({ outcome: 'skipped', rule: 'IMPORT.ALREADY_RECORDED' });
    const events = await ledger.store.readStream(complaintStream(complaintIdOf('CMP-7001')));
    expect(events.map((event) => event.type)).toEqual(['ComplaintReceived', 'RemedyOffered', 'CorrespondenceRecorded']);
  });

  it('the same file as CSV then as JSON Lines (rows numbered from 2, then from 1) records the offer once', async () => {
    const csv = [
      'complaint,kind,at,channel,tenure,category,summary,resident.reference,type,description',
      'CMP-7002,ReceiveComplaint,2024-01-08T10:00:00Z,email,LCRA,repairs,Window broken,RES-7002,,',
      'CMP-7002,OfferRemedy,2024-01-20T10:00:00Z,,,,,,action,Replace the window',
    ].join('\n');
    const jsonl = [
      {
        complaint: 'CMP-7002',
        kind: 'ReceiveComplaint',
        at: '2024-01-08T10:00:00Z',
        channel: 'email',
        tenure: 'LCRA',
        category: 'repairs',
        summary: 'Window broken',
        resident: { reference: 'RES-7002' },
      },
      { complaint: 'CMP-7002', kind: 'OfferRemedy', at: '2024-01-20T10:00:00Z', type: 'action', description: 'Replace the window' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    await importFile(ledger, fileWith('history.csv', csv));
    const again = await importFile(ledger, fileWith('history.jsonl', jsonl));

    expect(again.status.rows).toMatchObject({ total: 2, accepted: 0, skipped: 2 });
    const events = await ledger.store.readStream(complaintStream(complaintIdOf('CMP-7002')));
    expect(events.map((event) => event.type)).toEqual(['ComplaintReceived', 'RemedyOffered']);
  });
});

describe("a complaint whose id, derived from the landlord's reference, reads like a telephone number", () => {
  let ledger: Ledger;
  beforeEach(() => (ledger = openLedger()));
  afterEach(() => ledger.close());

  it('is imported: the ledger does not refuse, as personal data in clear, the id it derived itself', async () => {
    // K-2519 is a plain reference; its id is 00020950-937f-8278-…, whose start is eleven digits from 0, as a UK number
    expect(complaintIdOf('K-2519')).toMatch(/^00020950-937f-/);
    const header = 'complaint,kind,at,channel,tenure,category,summary,resident.reference';
    const path = fileWith(
      'history.csv',
      [header, 'K-2519,ReceiveComplaint,2024-05-01T10:00:00Z,email,LCRA,repairs,Leak,RES-K2519'].join('\n'),
    );

    const { status, rows } = await importFile(ledger, path);

    expect(rows.get(2)).toMatchObject({ outcome: 'accepted', rule: '' }); // refused: complaintId, PERSONAL_DATA.IN_CLEAR, "a telephone number"
    expect(status.rows).toMatchObject({ accepted: 1, refused: 0 });
  });
});

describe('the imports folder', () => {
  let ledger: Ledger;
  beforeEach(() => (ledger = openLedgerOn(new MemoryEventStore(() => NOW))));
  afterEach(() => ledger.close());
  const importsPath = () => (ledger.imports as unknown as { deps: { path: string } }).deps.path;

  it('an import folder whose journal has no tables yet (another process opening it this moment, or one killed or out of disk doing so) does not stop other files being imported', async () => {
    const folder = join(importsPath(), randomUUID());
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'journal.sqlite'), ''); // what preparePrivateFile leaves before SQLite writes the schema

    const { status } = await importFile(ledger, join(EXAMPLES, 'example.csv'));

    expect(status).toMatchObject({ status: 'done', rows: { accepted: 13 } });
  });

  it('a journal that can no longer be written (disk full) ends the import failed: `finished` settles, the lock is let go and the upload removed', async () => {
    // simulates SQLITE_FULL: the verdicts cannot be written, nor anything after (as on a full disk; reproduced on a tiny tmpfs, where the API process exits)
    let full = false;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const record = jest.spyOn(ImportJournal.prototype, 'record').mockImplementation(() => {
      full = true;
      throw diskFull();
    });
    const original = ImportJournal.prototype.setMeta;
    const setMeta = jest.spyOn(ImportJournal.prototype, 'setMeta').mockImplementation(function (this: ImportJournal, values) {
      if (full) throw diskFull();
      return original.call(this, values);
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const upload = fileWith('upload.part', readFileSync(join(EXAMPLES, 'example.csv'), 'utf8'));
      const run = await ledger.imports.start(
        { path: upload, name: 'example.csv' },
        {
          mapping: null,
          dryRun: false,
          actor: 'test:importer',
          format: 'csv',
          discardAfter: true,
        },
      );
      const ended = await run.finished.then(
        (status) => status,
        (error: Error) => ({ rejected: error.message }),
      );
      await new Promise((resolve) => setImmediate(resolve));

      // the API does `void run.finished.finally(...)`: a rejection there is unhandled, and Node ends the service
      expect(ended).toMatchObject({ status: 'failed' });
      expect(unhandled).toEqual([]);
      // space freed: the same file is resumed, not refused as "being imported now" by a lock nobody will let go
      full = false;
      record.mockRestore();
      setMeta.mockRestore();
      const again = await importFile(ledger, join(EXAMPLES, 'example.csv'));
      expect(again.status).toMatchObject({ status: 'done', resumed: 1 });
      expect(existsSync(upload)).toBe(false); // the upload holds residents' data in clear
    } finally {
      process.off('unhandledRejection', onUnhandled);
      jest.restoreAllMocks();
    }
  });
});
