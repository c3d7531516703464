import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dirname } from 'node:path';
import { api, binary, complaintBody, KEYS, startApp, tempSqlitePath, uploadDocument } from './support';
import { signingKeyFile } from '../../../libs/ledger/test/support/signing-key';

/**
 * Answers carrying residents' personal data, decrypted for the caller, are for that caller only
 * and only then: no cache on the way (a proxy, a browser's disk cache behind /docs' "Try it out")
 * may keep them, serve them to another credential on the same URL (the API key travels in
 * X-API-Key, which a cache does not treat as it treats Authorization), or keep them after the
 * resident is erased. The console already says `Cache-Control: no-store` for the same data.
 */
describe('personal data: never stored by a cache', () => {
  let app: NestFastifyApplication;
  let id: string;
  let documentId: string;

  beforeAll(async () => {
    const sqlitePath = tempSqlitePath();
    // a signing key, for the evidence pack's signed tree head
    app = await startApp({ LEDGER_SQLITE_PATH: sqlitePath, LEDGER_SIGNING_KEY_FILE: signingKeyFile(dirname(sqlitePath)) });
    id = (
      await api(app, KEYS.case_handler)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: 'RES-CACHE', name: 'Cassandra Cachewell' } }))
        .expect(201)
    ).body.id as string;
    documentId = (await uploadDocument(app, id, Buffer.from('A letter to Cassandra Cachewell\n')).expect(201)).body.documentId as string;
  });
  afterAll(async () => app.close());

  it.each([
    ['the history', 'auditor', () => `/v1/complaints/${id}/history`],
    ['the export', 'auditor', () => `/v1/complaints/${id}/export`],
    ['the evidence pack', 'case_handler', () => `/v1/complaints/${id}/evidence-pack`],
    ['the documents list', 'case_handler', () => `/v1/complaints/${id}/documents`],
    ['a document', 'case_handler', () => `/v1/complaints/${id}/documents/${documentId}`],
  ] as const)('%s says Cache-Control: no-store', async (_what, role, path) => {
    const answer = await api(app, KEYS[role]).get(path()).buffer(true).parse(binary).expect(200);
    expect(answer.headers['cache-control'] ?? '(none)').toMatch(/\bno-store\b/);
  });
});
