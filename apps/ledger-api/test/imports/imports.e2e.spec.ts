import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { complaintIdOf } from '@complaint-ledger/ledger';
import { api, KEYS, startApp } from '../support';

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

  it('is for admins only', async () => {
    await api(app, KEYS.case_handler).post('/v1/imports').set('content-type', 'text/csv').send('complaint,kind\n').expect(403);
  });
});
