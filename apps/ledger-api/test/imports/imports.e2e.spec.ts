import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FACTS_PER_COMPLAINT, writeHistory } from '../../../../bench/support/history-file';
import { complaintIdOf } from '@complaint-ledger/ledger';
import { api, complaintBody, KEYS, startApp, startAppWith, testConfig } from '../support';

const EXAMPLES = join(__dirname, '../../../../docs/import');
jest.setTimeout(60_000);

let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(() => app.close());

/** GET the import until it has ended. */
async function ended(id: string) {
  for (;;) {
    const { body } = await api(app, KEYS.admin).get(`/v1/imports/${id}`).expect(200);
    if (body.status !== 'running') return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('POST /v1/imports', () => {
  it('imports a CSV file through the write path and reports each row; the complaints are there as if sent one by one', async () => {
    const file = readFileSync(join(EXAMPLES, 'example.csv'));
    const { body, headers } = await api(app, KEYS.admin)
      .post('/v1/imports?name=example.csv')
      .set('content-type', 'text/csv')
      .send(file)
      .expect(202);
    expect(headers.location).toBe(`/v1/imports/${body.id}`);
    const status = await ended(body.id);
    expect(status).toMatchObject({ status: 'done', actor: 'api-key:dpo', rows: { total: 13, accepted: 13, refused: 0, skipped: 0 } });

    const complaint = await api(app)
      .get(`/v1/complaints/${complaintIdOf('CMP-1001')}`)
      .expect(200);
    expect(complaint.body).toMatchObject({ status: 'closed', stage: 2 });
    const report = await api(app, KEYS.admin).get(status.reports.csv).expect(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.text.split('\r\n')[1]).toBe('2,CMP-1001,ReceiveComplaint,accepted,,,,,,');
    const page = await api(app, KEYS.admin).get(status.reports.html).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Deadlines the history shows breached');
  });

  it('takes a file far over the JSON body limit: the upload is streamed to disk, never held whole', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'upload-')), 'history.csv');
    await writeHistory(path, 2_500, 'BIG');
    const file = readFileSync(path);
    expect(file.length).toBeGreaterThan(3 * 256 * 1024);
    const { body } = await api(app, KEYS.admin).post('/v1/imports').set('content-type', 'text/csv').send(file).expect(202);
    const rows = 2_500 * FACTS_PER_COMPLAINT;
    expect(await ended(body.id)).toMatchObject({
      status: 'done',
      source: { name: 'upload.csv', bytes: file.length },
      rows: { total: rows, accepted: rows },
    });
  });

  it('reads a housing system export through a mapping kept by name', async () => {
    const mapping = JSON.parse(readFileSync(join(EXAMPLES, 'hms-mapping.json'), 'utf8'));
    await api(app, KEYS.admin)
      .put('/v1/imports/mappings/hms')
      .send(mapping)
      .expect(200, { name: 'hms', uploads: '/v1/imports?mapping=hms' });
    const { body } = await api(app, KEYS.admin)
      .post('/v1/imports?mapping=hms&name=hms-export.csv')
      .set('content-type', 'text/csv')
      .send(readFileSync(join(EXAMPLES, 'hms-export.csv')))
      .expect(202);
    // the same facts as example.csv, imported first above: every one recognised as already recorded
    expect(await ended(body.id)).toMatchObject({ status: 'done', rows: { total: 13, accepted: 0, skipped: 13 } });
  });

  it('refuses a mapping that names what the ledger does not know, each problem a field', async () => {
    const { body } = await api(app, KEYS.admin)
      .put('/v1/imports/mappings/wrong')
      .send({ columns: { Colour: 'colour' }, codes: { tenure: { GN: 'LCRX' } } })
      .expect(400);
    expect(body.errors).toEqual([
      { field: 'columns.Colour', rule: 'mapping', message: 'columns.Colour: no kind of fact has a field colour' },
      { field: 'codes.tenure.GN', rule: 'mapping', message: 'codes.tenure.GN: "LCRX" is not a value the ledger takes for tenure' },
    ]);
    await api(app, KEYS.admin).post('/v1/imports?mapping=wrong').set('content-type', 'text/csv').send('a\n').expect(400);
  });

  it('a dry run of JSON Lines decides every row and records nothing', async () => {
    const lines = readFileSync(join(EXAMPLES, 'example.jsonl'), 'utf8').replaceAll('CMP-', 'DRY-');
    const { body } = await api(app, KEYS.admin)
      .post('/v1/imports?dryRun=true')
      .set('content-type', 'application/x-ndjson')
      .send(lines)
      .expect(202);
    expect(await ended(body.id)).toMatchObject({
      status: 'done',
      dryRun: true,
      source: { format: 'jsonl' },
      rows: { total: 13, accepted: 13 },
    });
    await api(app)
      .get(`/v1/complaints/${complaintIdOf('DRY-1001')}`)
      .expect(404);
  });

  it('is for admins only; its progress for admins and auditors; an import it does not know is 404', async () => {
    await api(app, KEYS.case_handler).post('/v1/imports').set('content-type', 'text/csv').send('complaint,kind\n').expect(403);
    await api(app, KEYS.auditor).get('/v1/imports/00000000-0000-4000-8000-000000000000').expect(404);
    await api(app, KEYS.analyst).get('/v1/imports/00000000-0000-4000-8000-000000000000').expect(403);
    await api(app, KEYS.admin).get('/v1/imports/..%2F..%2Fetc').expect(404);
  });

  it('a file sent as another charset is 415 naming it; one that is not UTF-8 though it says so ends failed, saying why; nothing is recorded', async () => {
    const latin1 = Buffer.from(
      'complaint,kind,at,channel,tenure,category,summary,resident.reference,resident.name\n' +
        'LAT-1,ReceiveComplaint,2024-05-01T10:00:00Z,email,LCRA,repairs,Compensation \xa3100,RES-LAT-1,Zo\xeb M\xfcller\n',
      'latin1',
    );
    const refused = await api(app, KEYS.admin)
      .post('/v1/imports')
      .set('content-type', 'text/csv; charset=iso-8859-1')
      .send(latin1)
      .expect(415);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(/sent as iso-8859-1: the ledger reads UTF-8 only/);

    const { body } = await api(app, KEYS.admin).post('/v1/imports').set('content-type', 'text/csv').send(latin1).expect(202);

    expect(await ended(body.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/the file is not UTF-8/) });
    await api(app)
      .get(`/v1/complaints/${complaintIdOf('LAT-1')}`)
      .expect(404);
  });

  it("a line naming a field through __proto__ is refused as a field that should not exist, and the service's commands go on", async () => {
    const line = JSON.stringify({ complaint: 'PP-1', kind: 'WithdrawComplaint', at: '2024-05-01T10:00:00Z', '__proto__.ifMatch': 7 });
    const { body } = await api(app, KEYS.admin)
      .post('/v1/imports?dryRun=true')
      .set('content-type', 'application/x-ndjson')
      .send(`${line}\n`)
      .expect(202);

    expect(await ended(body.id)).toMatchObject({ status: 'done', rows: { total: 1, refused: 1 } });
    const report = (await api(app, KEYS.admin).get(`/v1/imports/${body.id}/report.csv`).expect(200)).text;
    expect(report).toContain('whitelistValidation');
    await api(app).post('/v1/complaints').send(complaintBody()).expect(201);
  });

  it('a mapping that is not an object is 400 naming the body', async () => {
    const { body } = await api(app, KEYS.admin).put('/v1/imports/mappings/listed').send([]).expect(400);
    expect(body.errors).toEqual([{ field: 'body', rule: 'mapping', message: '(the mapping): a mapping is a JSON object' }]);
  });

  it('takes a file nowhere else: CSV sent to a command is 415, and JSON sent as the file is 415', async () => {
    await api(app).post('/v1/complaints').set('content-type', 'text/csv').send('complaint,kind\n').expect(415);
    await api(app, KEYS.admin).post('/v1/imports').send({ complaint: 'C-1' }).expect(415);
  });
});

it('an upload past LEDGER_IMPORT_MAX_MB is cut off: 413 problem+json, its file removed, nothing imported', async () => {
  const imports = mkdtempSync(join(tmpdir(), 'ledger-imports-'));
  const small = await startAppWith(testConfig({ LEDGER_IMPORT_MAX_MB: '1', LEDGER_IMPORTS_PATH: imports }));
  try {
    const row = 'BIG-1,WithdrawComplaint,2024-05-01T10:00:00Z\n';
    const file = `complaint,kind,at\n${row.repeat(Math.ceil((3 * 1024 * 1024) / row.length))}`;
    const refused = await api(small, KEYS.admin).post('/v1/imports').set('content-type', 'text/csv').send(file);

    expect(refused.status).toBe(413);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'IMPORT.TOO_LARGE', detail: expect.stringMatching(/larger than 1 MiB/) });
    expect(readdirSync(join(imports, 'uploads'))).toEqual([]);
    expect(readdirSync(imports).filter((name) => name !== 'uploads')).toEqual([]);
  } finally {
    await small.close();
  }
});
