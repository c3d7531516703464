import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complaintStream, MemoryEventStore, StoreUnavailable } from '@complaint-ledger/event-store';
import { complaintIdOf, Ledger, MappingInvalid, openLedgerForImport, parseMapping, remedyIdOf } from '../../src';
import { EXAMPLES, importFile, MASTER_KEY, NOW, openLedger, openLedgerOn } from './support';

/**
 * The import engine over a real SQLite ledger: the format and the mapping, every kind of bad row,
 * the dry run, re-runs, and the report. (Resuming after kill -9 and imports side by side are
 * separate processes: apps/ledger-worker/test/import-cli.e2e.spec.ts.)
 */
jest.setTimeout(60_000);

let ledger: Ledger;
beforeEach(() => (ledger = openLedger()));
afterEach(() => ledger.close());

const folder = () => mkdtempSync(join(tmpdir(), 'import-file-'));
const fileWith = (name: string, text: string) => {
  const path = join(folder(), name);
  writeFileSync(path, text);
  return path;
};
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const hmsMapping = () => parseMapping(JSON.parse(readFileSync(join(EXAMPLES, 'hms-mapping.json'), 'utf8')));

/** Each imported complaint as the ledger holds it, decrypted: its facts' types, business times and data, and its view. */
async function recorded(references: string[], on = ledger) {
  const complaints: Record<string, unknown> = {};
  const { cipher } = on.personalData!;
  for (const reference of references) {
    const id = complaintIdOf(reference);
    const events = await on.store.readStream(complaintStream(id));
    const { view } = await on.queries.complaints.complaint(id, {});
    complaints[reference] = cipher.reveal({
      facts: events.map((event) => ({ type: event.type, occurredAt: event.metadata.occurredAt, data: event.data })),
      view,
    });
  }
  return complaints;
}

describe('the format: a good file', () => {
  it('records every row with its business time, record time now, provenance (import, file SHA-256, row) and personal data encrypted', async () => {
    const path = join(EXAMPLES, 'example.csv');
    const { status, rows } = await importFile(ledger, path);

    expect(status).toMatchObject({ status: 'done', phase: 'done', rows: { total: 13, accepted: 13, refused: 0, skipped: 0 } });
    expect([...rows.values()].map((row) => row.outcome)).toEqual(Array(13).fill('accepted'));
    const events = await ledger.store.readStream(complaintStream(complaintIdOf('CMP-1001')));
    // a complaint's facts are decided in business-time order whatever the file's order (the completion is row 7, after its escalation in time)
    expect(events.map((event) => [event.type, event.metadata.occurredAt, event.metadata.provenance?.row])).toEqual([
      ['ComplaintReceived', '2024-05-01T09:00:00.000Z', 2],
      ['Acknowledged', '2024-05-03T09:00:00.000Z', 3],
      ['Responded', '2024-05-17T14:00:00.000Z', 4],
      ['RemedyOffered', '2024-05-17T14:00:00.000Z', 5],
      ['CorrespondenceRecorded', '2024-05-20T08:30:00.000Z', 6],
      ['Escalated', '2024-05-28T08:00:00.000Z', 8],
      ['Acknowledged', '2024-05-30T08:00:00.000Z', 9],
      ['RemedyCompleted', '2024-06-05T11:00:00.000Z', 7],
      ['Responded', '2024-06-20T08:00:00.000Z', 10],
    ]);
    for (const event of events) {
      expect(event.metadata).toMatchObject({ recordedAt: NOW, actor: 'test:importer', correlationId: status.id });
      expect(event.metadata.provenance).toEqual({ importId: status.id, sourceSha256: sha256(path), row: expect.any(Number) });
    }
    const received = events[0]!.data as { summary: string; resident: { reference: string; name: string } };
    expect(received.summary).toMatch(/^enc:v1:/);
    expect(received.resident).toEqual({ reference: 'RES-1001', name: expect.stringMatching(/^enc:v1:/) });
    // the remedy is named after the landlord's reference, so the completion found it
    expect(events[3]!.data).toMatchObject({ remedyId: remedyIdOf(complaintIdOf('CMP-1001'), 'REM-1001-1') });
    const { view } = await ledger.queries.complaints.complaint(complaintIdOf('CMP-1001'), {});
    expect(view).toMatchObject({ status: 'closed', stage: 2 });
  });

  it('records the same facts from JSON Lines', async () => {
    await importFile(ledger, join(EXAMPLES, 'example.csv'));
    const fromCsv = await recorded(['CMP-1001', 'CMP-1002', 'CMP-1003']);
    const other = openLedger();
    try {
      const { status } = await importFile(other, join(EXAMPLES, 'example.jsonl'));
      expect(status.rows).toMatchObject({ total: 13, accepted: 13 });
      expect(await recorded(['CMP-1001', 'CMP-1002', 'CMP-1003'], other)).toEqual(fromCsv);
    } finally {
      await other.close();
    }
  });
});

describe('the mapping: a housing system export in its own columns, codes and dates', () => {
  it('records the same facts as the ledger own format', async () => {
    const { status } = await importFile(ledger, join(EXAMPLES, 'hms-export.csv'), { mapping: hmsMapping() });
    expect(status.rows).toMatchObject({ total: 13, accepted: 13, refused: 0 });
    const fromExport = await recorded(['CMP-1001', 'CMP-1002', 'CMP-1003']);
    const other = openLedger();
    try {
      await importFile(other, join(EXAMPLES, 'example.csv'));
      expect(await recorded(['CMP-1001', 'CMP-1002', 'CMP-1003'], other)).toEqual(fromExport);
    } finally {
      await other.close();
    }
  });

  it('is refused whole when it names what the ledger does not know, each problem said', () => {
    const refused = (() => {
      try {
        parseMapping({
          columns: { Ref: 'complaint', Colour: 'colour', Details: { AcknowledgeComplaint: 'summary' } },
          codes: { tenure: { GN: 'LCRX' }, kind: { NEW: 'Receive' } },
          dates: { zone: 'Mars/Olympus' },
          extra: true,
        });
      } catch (error) {
        return error;
      }
    })() as MappingInvalid;
    expect(refused).toBeInstanceOf(MappingInvalid);
    expect(refused.problems).toEqual([
      'extra: not part of a mapping (columns, codes, dates, constants, delimiter, $comment)',
      'columns.Colour: no kind of fact has a field colour',
      'columns.Details.AcknowledgeComplaint: AcknowledgeComplaint has no field summary',
      'codes.tenure.GN: "LCRX" is not a value the ledger takes for tenure',
      'codes.kind.NEW: "Receive" is not a value the ledger takes for kind',
      'dates.zone: Mars/Olympus is not a time zone',
    ]);
  });
});

/** Every kind of bad row, each beside the row it names. */
const BAD_ROWS = [
  'complaint,kind,at,channel,tenure,category,summary,resident.reference,stage,complaintDefinition,decision,escalationRightsGiven',
  'CMP-2001,ReceiveComplaint,2024-05-01T10:00:00+01:00,email,LCRA,repairs,Leak not repaired,RES-2001,,,,', // 2: good
  'CMP-2001,AcknowledgeComplaints,2024-05-03T10:00:00+01:00,,,,,,1,Leak,,', // 3: unknown kind
  'CMP-2001,AcknowledgeComplaint,2024-02-30T10:00:00+01:00,,,,,,1,Leak,,', // 4: bad date
  'CMP-2001,RespondToComplaint,2024-04-30T10:00:00+01:00,,,,,,1,,upheld,true', // 5: fact before receipt
  'CMP-9999,AcknowledgeComplaint,2024-05-03T10:00:00+01:00,,,,,,1,Leak,,', // 6: unknown complaint
  'CMP-2001,AcknowledgeComplaint,2024-05-03T10:00:00+01:00,,,,,,1,Leak,,', // 7: good
  'CMP-2001,AcknowledgeComplaint,2024-05-03T10:00:00+01:00,,,,,,1,Leak,,', // 8: duplicate of row 7
  'CMP-2001,AcknowledgeComplaint,2024-05-07T10:00:00+01:00,,,,,,1,Leak again,,', // 9: stage already acknowledged (Code 6.2)
  'CMP-2002,ReceiveComplaint,2024-05-01T10:00:00+01:00,phone,LCRA,call 07700 900123,Boiler,RES-2002,,,,', // 10: personal data in a structured field
  'CMP-2001,ReceiveComplaint,2024-05-02T10:00:00+01:00,email,LCRA,repairs,Another leak,RES-2001,,,,', // 11: complaint already received
  'CMP-2001,RespondToComplaint,2024-05-10T10:00:00+01:00,,,,,,1,,,true,extra', // 12: more cells than the header
  'CMP-2001,RespondToComplaint,2024-05-10T10:00:00+01:00,,,,,,1,,,true', // 13: no decision
  ',ReceiveComplaint,2024-05-01T10:00:00+01:00,email,LCRA,repairs,Leak,RES-2003,,,,', // 14: no complaint named
].join('\n');

/** The report's verdict on a row: [outcome, field, rule, provision, code version]. */
const verdict = (row: Record<string, string> | undefined) => [row?.outcome, row?.field, row?.rule, row?.provision, row?.code_version];

describe('every kind of bad row: refused or skipped with its field, rule and provision; the good rows recorded', () => {
  it('reports each row', async () => {
    const path = fileWith('bad-rows.csv', BAD_ROWS);
    const { status, rows, page } = await importFile(ledger, path);

    expect(status.rows).toMatchObject({ total: 13, accepted: 2, refused: 10, skipped: 1 });
    expect(verdict(rows.get(2))).toEqual(['accepted', '', '', '', '']);
    expect(verdict(rows.get(3))).toEqual(['refused', 'kind', 'IMPORT.UNKNOWN_KIND', '', '']);
    expect(verdict(rows.get(4))).toEqual(['refused', 'acknowledgedAt', 'isIso8601', '', '']);
    expect(rows.get(4)!.column).toBe('at');
    expect(verdict(rows.get(5))).toEqual(['refused', 'respondedAt', 'INSTANT.BEFORE_RECEIPT', '', '']);
    expect(verdict(rows.get(6))).toEqual(['refused', '', 'COMPLAINT.NOT_FOUND', '', '']);
    expect(verdict(rows.get(7))).toEqual(['accepted', '', '', '', '']);
    expect(verdict(rows.get(8))).toEqual(['skipped', '', 'IMPORT.ALREADY_RECORDED', '', '']);
    expect(rows.get(8)!.message).toBe('the same fact as row 7 of this file');
    expect(verdict(rows.get(9))).toEqual(['refused', 'stage', 'STAGE.ALREADY_ACKNOWLEDGED', '6.2', '2024']);
    expect(verdict(rows.get(10))).toEqual(['refused', 'category', 'IMPORT.PERSONAL_DATA_IN_CLEAR', '', '']);
    expect(rows.get(10)!.message).toMatch(/^category looks like it holds a telephone number/);
    expect(rows.get(10)!.message).not.toContain('07700');
    expect(verdict(rows.get(11))).toEqual(['refused', '', 'COMPLAINT.ALREADY_EXISTS', '', '']);
    expect(verdict(rows.get(12))).toEqual(['refused', '', 'IMPORT.MALFORMED_ROW', '', '']);
    expect(verdict(rows.get(13))).toEqual(['refused', 'decision', 'isIn', '', '']);
    expect(verdict(rows.get(14))).toEqual(['refused', 'complaint', 'IMPORT.COMPLAINT_REFERENCE', '', '']);

    // nothing refused was recorded: the complaint holds its receipt and one acknowledgement
    const events = await ledger.store.readStream(complaintStream(complaintIdOf('CMP-2001')));
    expect(events.map((event) => event.type)).toEqual(['ComplaintReceived', 'Acknowledged']);
    expect(await ledger.store.readStream(complaintStream(complaintIdOf('CMP-2002')))).toEqual([]);
    // the page groups refusals by rule, with the provision, and the rows to look at
    expect(page).toMatch(/<code>STAGE\.ALREADY_ACKNOWLEDGED<\/code><\/th><td class="n">1<\/td><td>6\.2 \(2024 Code\)<\/td><td>9<\/td>/);
    expect(page).toContain('<code>IMPORT.PERSONAL_DATA_IN_CLEAR</code>');
  });
});

describe('a dry run', () => {
  it('records nothing, and says of every row what the real import then does', async () => {
    const path = fileWith('bad-rows.csv', BAD_ROWS);
    const dry = await importFile(ledger, path, { dryRun: true });
    expect(await ledger.store.readAll(-1, 10)).toEqual([]);
    expect(dry.page).toContain('Dry run:');

    const real = await importFile(ledger, path);
    expect([...dry.rows.values()]).toEqual([...real.rows.values()]);
    expect(dry.status.rows).toEqual(real.status.rows);
  });

  it('of a file already imported: skips every fact recorded, as a second real run does', async () => {
    const path = join(EXAMPLES, 'example.csv');
    await importFile(ledger, path);
    const position = (await ledger.store.readAll(-1, 1_000)).length;
    const dry = await importFile(ledger, path, { dryRun: true });
    const again = await importFile(ledger, path);
    expect([...dry.rows.values()]).toEqual([...again.rows.values()]);
    expect((await ledger.store.readAll(-1, 1_000)).length).toBe(position);
  });
});

describe('run again', () => {
  it('the same file records nothing new: each fact skipped, naming the import that recorded it; refusals refused again', async () => {
    const path = fileWith('bad-rows.csv', BAD_ROWS);
    const first = await importFile(ledger, path);
    const before = await ledger.store.readAll(-1, 1_000);

    const second = await importFile(ledger, path);

    expect(await ledger.store.readAll(-1, 1_000)).toEqual(before);
    expect(second.status.rows).toMatchObject({ total: 13, accepted: 0, refused: 10, skipped: 3 });
    expect(second.rows.get(2)).toMatchObject({
      outcome: 'skipped',
      rule: 'IMPORT.ALREADY_RECORDED',
      message: `already recorded by import ${first.status.id} (row 2 of the file with SHA-256 ${sha256(path).slice(0, 12)}…)`,
    });
    // each judged at its place in the history, as the first time: row 5 (a response before the receipt) is not
    // judged against the acknowledgement recorded after it (row 7)
    for (const row of [3, 4, 5, 6, 9, 10, 11, 12, 13, 14]) expect(second.rows.get(row)).toEqual(first.rows.get(row));
    expect(verdict(second.rows.get(5))).toEqual(['refused', 'respondedAt', 'INSTANT.BEFORE_RECEIPT', '', '']);
  });

  it('a row refused at its place in the history is refused again there, though the facts after it would now allow it: nothing new is recorded', async () => {
    const header = 'complaint,kind,at,channel,tenure,category,summary,resident.reference,remedyId,type,description';
    const file = [
      header,
      'CMP-4001,ReceiveComplaint,2024-01-08T10:00:00Z,email,LCRA,repairs,Window broken,RES-4001,,,',
      // the same business time: the file's order decides, and the completion comes before the offer
      'CMP-4001,CompleteRemedy,2024-01-15T10:00:00Z,,,,,,REM-8,,',
      'CMP-4001,OfferRemedy,2024-01-15T10:00:00Z,,,,,,REM-8,action,Replace the window',
    ].join('\n');
    const path = fileWith('remedy.csv', file);
    const first = await importFile(ledger, path);
    const before = await ledger.store.readAll(-1, 1_000);

    const second = await importFile(ledger, path);

    expect(verdict(first.rows.get(3))).toEqual(['refused', 'remedyId', 'REMEDY.NOT_FOUND', '', '']);
    expect(second.rows.get(3)).toEqual(first.rows.get(3));
    expect(second.status.rows).toMatchObject({ total: 3, accepted: 0, refused: 1, skipped: 2 });
    expect(await ledger.store.readAll(-1, 1_000)).toEqual(before);
  });

  describe('a later export with facts recorded by an earlier one between its own', () => {
    const header = 'complaint,kind,at,channel,tenure,category,summary,resident.reference,remedyId,type,description,direction,party';
    const receive = 'CMP-9101,ReceiveComplaint,2024-01-08T10:00:00Z,email,LCRA,repairs,Window broken,RES-9101,,,,,';
    const offer = 'CMP-9101,OfferRemedy,2024-01-20T10:00:00Z,,,,,,REM-8,action,Replace the window,,';
    const complete = 'CMP-9101,CompleteRemedy,2024-01-15T10:00:00Z,,,,,,REM-8,,,,';
    const call = (at: string) => `CMP-9101,RecordCorrespondence,${at},phone,,,Call,,,,,inbound,resident`;
    const january = () => fileWith('january.csv', [header, receive, offer].join('\n'));
    // row 3, the completion, comes before the offer january recorded; row 4's call is new, and recorded after it
    const february = () =>
      fileWith('february.csv', [header, receive, complete, call('2024-01-17T10:00:00Z'), offer, call('2024-01-25T10:00:00Z')].join('\n'));
    const onMemory = (store = new MemoryEventStore(() => NOW)) => openLedgerOn(store);

    it('run again, and as a dry run, judges each row where the first run did', async () => {
      const path = february();
      await importFile(ledger, january());
      const first = await importFile(ledger, path);

      const dry = await importFile(ledger, path, { dryRun: true });
      const second = await importFile(ledger, path);

      expect(verdict(first.rows.get(3))).toEqual(['refused', 'remedyId', 'REMEDY.NOT_FOUND', '', '']);
      expect(dry.rows.get(3)).toEqual(first.rows.get(3));
      expect(second.rows.get(3)).toEqual(first.rows.get(3));
    });

    it('interrupted and resumed, gives what an uninterrupted import gives', async () => {
      const path = february();
      const clean = onMemory();
      await importFile(clean, january());
      const uninterrupted = await importFile(clean, path);
      await clean.close();
      const store = new MemoryEventStore(() => NOW);
      const interrupted = onMemory(store);
      try {
        await importFile(interrupted, january());
        let appendsLeft = 1; // the first new call goes in, the last one fails
        const append = store.append.bind(store);
        store.append = (...args) => (appendsLeft-- > 0 ? append(...args) : Promise.reject(new StoreUnavailable('the disk is full')));
        const run = await interrupted.imports.start(
          { path, name: 'february.csv' },
          { mapping: null, dryRun: false, actor: 'test:importer' },
        );
        expect(await run.finished).toMatchObject({ status: 'failed' });
        appendsLeft = Infinity;

        const resumed = await importFile(interrupted, path);

        expect([...resumed.rows.values()].map(verdict)).toEqual([...uninterrupted.rows.values()].map(verdict));
      } finally {
        await interrupted.close();
      }
    });
  });

  it('a later export that repeats facts already imported records only the new ones; a remedy offered in one file is completed in another', async () => {
    const header =
      'complaint,kind,at,channel,tenure,category,summary,resident.reference,stage,decision,escalationRightsGiven,remedyId,type,description';
    const january = [
      header,
      'CMP-3001,ReceiveComplaint,2024-01-08T10:00:00Z,email,LCRA,repairs,Window broken,RES-3001,,,,,,',
      'CMP-3001,RespondToComplaint,2024-01-15T10:00:00Z,,,,,,1,upheld,true,,,',
      'CMP-3001,OfferRemedy,2024-01-15T10:00:00Z,,,,,,,,,REM-7,action,Replace the window',
    ].join('\n');
    const february = [january, 'CMP-3001,CompleteRemedy,2024-02-01T10:00:00Z,,,,,,,,,REM-7,,'].join('\n');
    await importFile(ledger, fileWith('january.csv', january));
    const { status, rows } = await importFile(ledger, fileWith('february.csv', february));
    expect(status.rows).toMatchObject({ total: 4, accepted: 1, skipped: 3 });
    expect(rows.get(5)).toMatchObject({ outcome: 'accepted' });
    const { view } = await ledger.queries.complaints.complaint(complaintIdOf('CMP-3001'), {});
    expect(view.remedies).toEqual([
      expect.objectContaining({ remedyId: remedyIdOf(complaintIdOf('CMP-3001'), 'REM-7'), completedAt: '2024-02-01T10:00:00.000Z' }),
    ]);
  });
});

describe('the report', () => {
  it('lists the complaints whose history shows a deadline breached, by provision and Code version', async () => {
    const { page, status } = await importFile(ledger, join(EXAMPLES, 'example.csv'));
    // CMP-1002: acknowledged Fri 14 June 2024, due Mon 10 June (Code 6.2, four working days late); never answered (6.3)
    expect(page).toMatch(
      /<th scope="row">CMP-1002<\/th><td>Stage 1 acknowledgement<\/td><td>2024-06-10<\/td><td>Met late<\/td><td class="n">4<\/td><td>6\.2 \(2024 Code\)<\/td>/,
    );
    expect(page).toMatch(
      /<th scope="row">CMP-1002<\/th><td>Stage 1 response<\/td><td>2024-06-28<\/td><td><span class="late">Not met<\/span><\/td>/,
    );
    expect(page).toContain('2 deadlines in 1 complaints were missed');
    const breaches = readFileSync(ledger.imports.reportFile(status.id, 'breaches')!, 'utf8');
    expect(breaches.trim().split('\r\n')).toHaveLength(3);
  });
});

describe('a store that fails mid-import', () => {
  it('stops the import, keeps what was decided, and the same file run again goes on from there to the end', async () => {
    const store = new MemoryEventStore(() => NOW);
    // a complaint's rows go in one append: CMP-1001's nine go in, CMP-1002's fail
    let appendsLeft = 1;
    const append = store.append.bind(store);
    store.append = (...args) => (appendsLeft-- > 0 ? append(...args) : Promise.reject(new StoreUnavailable('the disk is full')));
    const failing = openLedgerOn(store);
    try {
      const path = join(EXAMPLES, 'example.csv');
      const first = await failing.imports.start(
        { path, name: 'example.csv' },
        { mapping: null, dryRun: false, actor: 'test:importer', concurrency: 1 },
      );
      const failed = await first.finished;
      expect(failed).toMatchObject({ status: 'failed', error: 'the disk is full' });
      expect(failing.imports.status(first.id)).toMatchObject({
        status: 'failed',
        error: 'the disk is full',
        rows: { accepted: 9 },
      });

      appendsLeft = Infinity;
      const again = await failing.imports.start({ path, name: 'example.csv' }, { mapping: null, dryRun: false, actor: 'test:importer' });
      expect(again.id).toBe(first.id);
      expect(await again.finished).toMatchObject({ status: 'done', resumed: 1, rows: { total: 13, accepted: 13, refused: 0, skipped: 0 } });
      expect((await store.readAll(-1, 100)).filter((event) => event.streamId.startsWith('complaint-'))).toHaveLength(13);
    } finally {
      await failing.close();
    }
  });
});

describe("a complaint's rows in one append, a long history row by row", () => {
  it('appends a short history at once, and one of more than 100 rows a row at a time, with the same verdicts', async () => {
    const header = 'complaint,kind,at,channel,tenure,category,summary,resident.reference,direction,party';
    const receive = (complaint: string) =>
      `${complaint},ReceiveComplaint,2024-05-01T10:00:00+01:00,email,LCRA,repairs,A leak,RES-${complaint},,`;
    const call = (complaint: string, n: number) =>
      `${complaint},RecordCorrespondence,2024-05-02T${String(9 + Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00+01:00,phone,,,Call ${n},,inbound,resident`;
    const lines = [header, receive('CMP-SHORT'), ...[1, 2, 3].map((n) => call('CMP-SHORT', n))];
    lines.push(receive('CMP-LONG'), ...Array.from({ length: 120 }, (_, n) => call('CMP-LONG', n)));
    const store = new MemoryEventStore(() => NOW);
    const appends = new Map<string, number>();
    const append = store.append.bind(store);
    store.append = (stream, ...rest) => {
      appends.set(stream, (appends.get(stream) ?? 0) + 1);
      return append(stream, ...rest);
    };
    const onMemory = openLedgerOn(store);
    try {
      const { status } = await importFile(onMemory, fileWith('histories.csv', lines.join('\n')));

      expect(status).toMatchObject({ status: 'done', rows: { total: 125, accepted: 125, refused: 0, skipped: 0 } });
      expect(appends.get(complaintStream(complaintIdOf('CMP-SHORT')))).toBe(1);
      expect(appends.get(complaintStream(complaintIdOf('CMP-LONG')))).toBe(121);
    } finally {
      await onMemory.close();
    }
  });
});

describe('the import tool opening the ledger beside another keeper of its read models', () => {
  it('keeps them when nobody does; a second opened meanwhile writes without them and names the first, saying nothing twice', async () => {
    const dir = folder();
    const env = {
      LEDGER_STORE: 'sqlite',
      LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
      LEDGER_MASTER_KEY: MASTER_KEY,
      LEDGER_IMPORTS_PATH: join(dir, 'imports'),
    };
    const said: string[] = [];
    const loggers = () => ({
      log: (line: string) => said.push(line),
      warn: (line: string) => said.push(line),
      error: (line: string) => said.push(line),
    });
    const first = openLedgerForImport(env, loggers);
    const saidByFirst = said.length;
    try {
      const second = openLedgerForImport(env, loggers);
      try {
        expect(first.readModelsKeptBy).toBeNull();
        expect(second.readModelsKeptBy).toContain(`pid ${process.pid}`);
        // the second's failed attempt at keeping them said nothing: its lines are said once, as the first's were
        expect(said.length - saidByFirst).toBe(saidByFirst);
      } finally {
        await second.ledger.close();
      }
    } finally {
      await first.ledger.close();
    }
  });
});
