import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, complaintBody, KEYS, startApp, tempSqlitePath } from './support';
import { signingKeyFile } from '../../../libs/ledger/test/support/signing-key';

/**
 * The ledger checks itself: an auditor verifies the whole log over HTTP; anyone can fetch the key
 * that checks its checkpoints; and a service started on an altered log says so (readiness, a
 * problem+json on every write) while its reads go on.
 */
const sqlitePath = tempSqlitePath();
const keyFile = signingKeyFile(dirname(sqlitePath));
const env = { LEDGER_SQLITE_PATH: sqlitePath, LEDGER_SIGNING_KEY_FILE: keyFile, LEDGER_CHECKPOINT_EVERY_EVENTS: '2' };
const ids: string[] = [];

async function settled(app: NestFastifyApplication) {
  for (let i = 0; i < 200; i++) {
    const ready = await request(app.getHttpServer()).get('/health/ready');
    if (ready.body.checks.integrity.status !== 'verifying') return ready;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('verification did not finish');
}

describe('an intact ledger', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await startApp(env);
    for (let n = 0; n < 3; n++) ids.push((await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id);
  });
  afterAll(async () => app.close()); // the last checkpoint, over all three

  it('is ready, verified, and verifies for an auditor, naming the key its checkpoints are signed with', async () => {
    const ready = await settled(app);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.integrity).toMatchObject({ status: 'intact' });
    await api(app, KEYS.case_handler).get('/v1/ledger/integrity').expect(403);
    const verdict = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body;
    expect(verdict).toMatchObject({ valid: true, break: null, head: { events: 3 } });
    const key = (await request(app.getHttpServer()).get('/.well-known/complaint-ledger/checkpoint-key').expect(200)).body;
    expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: verdict.publicKeyId, publicKey: expect.stringContaining('PUBLIC KEY') });
  });
});

describe('a ledger whose file was altered while it was stopped', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    const db = new Database(sqlitePath);
    db.prepare('DELETE FROM events WHERE stream_id = ?').run(`complaint-${ids[1]}`); // a whole complaint gone
    db.prepare(`UPDATE events SET data = '{"damaged' WHERE stream_id = ? AND revision = 0`).run(`complaint-${ids[2]}`); // another unreadable
    db.close();
    app = await startApp(env);
  });
  afterAll(async () => app.close());

  it('is not ready, and says why', async () => {
    const ready = await settled(app);
    expect(ready.status).toBe(503);
    // the first break in the log's order: the damaged event comes before the checkpoint the deletion falsifies
    expect(ready.body.checks.integrity).toMatchObject({ status: 'broken', break: expect.stringMatching(/position \d+ \(unreadable\)/) });
  });

  it('refuses every write with a problem naming the break, recording nothing', async () => {
    const refused = await api(app).post('/v1/complaints').send(complaintBody());
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'LEDGER.INTEGRITY_BROKEN', title: 'Ledger integrity broken' });
    expect(refused.body.detail).toMatch(/position \d+/);
  });

  it('names a damaged event by revision, never a 500', async () => {
    const damaged = await api(app).get(`/v1/complaints/${ids[2]}`);
    expect(damaged.status).toBe(409);
    expect(damaged.body).toMatchObject({ code: 'LEDGER.EVENT_UNREADABLE', detail: expect.stringContaining('revision 0') });
    expect((await api(app).get(`/v1/complaints/${ids[2]}/history`)).status).toBe(409);
    const integrity = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids[2]}/integrity`).expect(200)).body;
    expect(integrity).toMatchObject({ valid: false, firstInvalidRevision: 0 });
  });

  it('keeps serving reads, and tells the auditor where the log breaks', async () => {
    await api(app).get(`/v1/complaints/${ids[0]}`).expect(200);
    const verdict = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body;
    expect(verdict).toMatchObject({ valid: false, break: { kind: 'unreadable', streamId: `complaint-${ids[2]}`, revision: 0 } });
  });
});
