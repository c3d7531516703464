import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, KEYS, startApp, tempSqlitePath } from './support';

/**
 * Personal data is decrypted "only for an authorised caller" (README, "Security and privacy"): a
 * caller holding an encrypted value (from a backup, a copy of the log, an evidence pack's
 * events.jsonl handed to the Ombudsman) and a key of a role that may not read personal data must
 * not get the service to decrypt it for them, by sending it back in a request whose answer echoes
 * it (a field name in a 400, a category or an extension's reason the annual report counts).
 */
describe('personal data: the service is no decryption oracle', () => {
  let app: NestFastifyApplication;
  const sqlitePath = tempSqlitePath();
  const secret = 'Philippa Oraclesworth';
  /** Every encrypted value in the log's files, as anyone with a copy of them reads them. */
  const sealedOnDisk = () => {
    const disk = readdirSync(dirname(sqlitePath))
      .map((file) => readFileSync(join(dirname(sqlitePath), file)).toString('latin1'))
      .join('\n');
    return [...new Set(disk.match(/enc:v1:[\w-]+:[\w-]+:[\w-]+:[\w-]+/g) ?? [])];
  };

  beforeAll(async () => {
    app = await startApp({ LEDGER_SQLITE_PATH: sqlitePath });
    await api(app, KEYS.case_handler)
      .post('/v1/complaints')
      .send(complaintBody({ summary: 'Leak', resident: { reference: 'RES-ORACLE', name: secret } }))
      .expect(201);
    await api(app).get('/v1/complaints').expect(200); // the read models have written their files
  });
  afterAll(async () => app.close());

  it('does not decrypt a sealed value an analyst sends as a query parameter name', async () => {
    const sealed = sealedOnDisk();
    expect(sealed.length).toBeGreaterThan(0);
    for (const value of sealed) {
      for (const path of ['/v1/breaches', '/v1/statistics/tsm', '/v1/reports/annual']) {
        const answer = await api(app, KEYS.analyst)
          .get(path)
          .query({ [value]: '1' });
        expect(answer.status).toBe(400);
        expect(answer.text).not.toContain(secret);
      }
    }
  });

  it('refuses a sealed value given as a field kept in clear (a category), which reports would count, and records nothing', async () => {
    const value = sealedOnDisk().find((sealed) => sealed.length <= 100); // a category is at most 100 characters: the name's
    expect(value).toBeDefined();
    const before = (await api(app, KEYS.auditor).get('/v1/complaints').expect(200)).body.items.length;
    const refused = await api(app, KEYS.case_handler)
      .post('/v1/complaints')
      .send(complaintBody({ category: value, resident: { reference: 'RES-OTHER' } }))
      .expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'category', rule: 'notEncryptedText' })]);
    expect(refused.text).not.toContain(secret);
    expect((await api(app, KEYS.auditor).get('/v1/complaints').expect(200)).body.items).toHaveLength(before);
  });

  it('does not decrypt, for an analyst, a sealed value that reached a field kept in clear some other way (recorded through the core)', async () => {
    const value = sealedOnDisk().find((sealed) => sealed.length <= 100)!;
    const ledger = app.get<Ledger>(LEDGER);
    const complaintId = randomUUID();
    const receipt = complaintBody({ category: value, receivedAt: '2024-05-01T10:00:00+01:00', resident: { reference: 'RES-CORE' } });
    await ledger.write.execute({
      complaintId,
      command: { type: 'ReceiveComplaint', data: { ...receipt, complaintId } } as ComplaintCommand,
      actor: 'api-key:case-system',
      correlationId: randomUUID(),
    });
    const report = await api(app, KEYS.analyst).get('/v1/reports/annual').query({ year: 2024 }).expect(200);
    expect(report.text).toContain('enc:v1:'); // counted as the category it was recorded as, and left as it is
    expect(report.text).not.toContain(secret);
    const page = await api(app, KEYS.analyst).get('/v1/reports/annual').query({ year: 2024 }).set('accept', 'text/html').expect(200);
    expect(page.text).not.toContain(secret);
  });

  it('does not decrypt a sealed value a case handler sends as an unknown field of a command: refused, echoed as sent', async () => {
    const [value] = sealedOnDisk();
    const refused = await api(app, KEYS.case_handler)
      .post('/v1/complaints')
      .send({ ...complaintBody(), [value!]: 'x' })
      .expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: value, rule: 'notEncryptedText' })]);
    expect(refused.text).not.toContain(secret);
  });

  it('still reveals personal data where the role may read it: its history and export', async () => {
    const list = await api(app, KEYS.auditor).get('/v1/complaints').expect(200);
    const id = (list.body.items as { id: string }[]).at(-1)!.id;
    const history = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200);
    expect(history.text).toContain(secret);
    const exported = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/export`).expect(200);
    expect(exported.text).toContain(secret);
  });
});
