import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { loadConfig } from '@complaint-ledger/ledger';
import { plainHttpHeaders, securityHeaders } from '../src/http/security-headers';
import { api, complaintBody, KEYS, startApp, tempSqlitePath, TEST_MASTER_KEY } from './support';
import { scaled } from '../../../test/support/timeouts';

type Role = 'case_handler' | 'auditor' | 'analyst' | 'admin';
const ROLES: Role[] = ['case_handler', 'auditor', 'analyst', 'admin'];
const at = (day: string, time = '10:00') => `2024-05-${day}T${time}:00+01:00`;

describe('who may call what: every endpoint with no key, a wrong key, and each role', () => {
  let app: NestFastifyApplication;
  const ids: Record<string, string> = {};
  const anonymous = () => request(app.getHttpServer());
  const receive = async () => (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;

  beforeAll(async () => {
    app = await startApp();
    ids.a = await receive(); // walks the whole lifecycle below
    ids.b = await receive(); // responded, then its escalation refused
    await api(app)
      .post(`/v1/complaints/${ids.b}/acknowledgements`)
      .send({ stage: 1, acknowledgedAt: at('02'), complaintDefinition: 'Leak' })
      .expect(200);
    await api(app)
      .post(`/v1/complaints/${ids.b}/responses`)
      .send({
        stage: 1,
        respondedAt: at('09'),
        decision: 'not_upheld',
        reasons: 'Fixed',
        outstandingActions: [],
        escalationRightsGiven: true,
      })
      .expect(200);
    ids.c = await receive(); // not accepted
    ids.d = await receive(); // withdrawn
    // a resident of their own, for the erasure row: an erasure of a reference that matches nobody is a 404
    await api(app)
      .post('/v1/complaints')
      .send(complaintBody({ resident: { reference: 'RES-TO-ERASE' } }))
      .expect(201);
  });
  afterAll(async () => app.close());

  interface Row {
    readonly method: 'get' | 'post';
    readonly path: () => Promise<string> | string;
    readonly body?: object;
    readonly roles: Role[] | 'public';
  }
  const remedyId = async () =>
    ((await api(app).get(`/v1/complaints/${ids.a}`).expect(200)).body.remedies as { remedyId: string }[])[0]!.remedyId;
  // commands in an order that makes each one valid for the role allowed to send it
  const rows: [string, Row][] = [
    ['receive', { method: 'post', path: () => '/v1/complaints', body: complaintBody(), roles: ['case_handler'] }],
    [
      'assign handler',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/handlers`,
        body: { stage: 1, assignedAt: at('01', '11:00'), handler: 'H1' },
        roles: ['case_handler'],
      },
    ],
    [
      'acknowledge',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/acknowledgements`,
        body: { stage: 1, acknowledgedAt: at('02'), complaintDefinition: 'Leak' },
        roles: ['case_handler'],
      },
    ],
    [
      'correspondence',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/correspondence`,
        body: { occurredAt: at('03'), direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Call' },
        roles: ['case_handler'],
      },
    ],
    [
      'adjustment',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/reasonable-adjustments`,
        body: { recordedAt: at('03', '11:00'), adjustment: 'Large print' },
        roles: ['case_handler'],
      },
    ],
    [
      'representative',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/representative`,
        body: { consentReceivedAt: at('03', '12:00'), relationship: 'friend' },
        roles: ['case_handler'],
      },
    ],
    [
      'extend',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/extensions`,
        body: { stage: 1, notifiedAt: at('10'), newDeadline: '2024-05-24', reason: 'Survey', ombudsmanDetailsGiven: true },
        roles: ['case_handler'],
      },
    ],
    [
      'respond',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/responses`,
        body: {
          stage: 1,
          respondedAt: at('20'),
          decision: 'upheld',
          reasons: 'Late',
          remedies: [{ type: 'apology', description: 'Sorry' }],
          outstandingActions: [],
          escalationRightsGiven: true,
        },
        roles: ['case_handler'],
      },
    ],
    [
      'offer remedy',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.a}/remedies`,
        body: { offeredAt: at('21'), type: 'explanation', description: 'Why' },
        roles: ['case_handler'],
      },
    ],
    [
      'complete remedy',
      {
        method: 'post',
        path: async () => `/v1/complaints/${ids.a}/remedies/${await remedyId()}/completion`,
        body: { completedAt: at('21', '12:00') },
        roles: ['case_handler'],
      },
    ],
    [
      'escalate',
      { method: 'post', path: () => `/v1/complaints/${ids.a}/escalations`, body: { requestedAt: at('22') }, roles: ['case_handler'] },
    ],
    [
      'refuse escalation',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.b}/escalation-refusals`,
        body: { decidedAt: at('11'), ground: 'other', explanation: 'Resolved', ombudsmanRightExplained: true },
        roles: ['case_handler'],
      },
    ],
    [
      'not accepted',
      {
        method: 'post',
        path: () => `/v1/complaints/${ids.c}/non-acceptance`,
        body: { decidedAt: at('02'), ground: 'other', explanation: 'Insurance', ombudsmanRightExplained: true },
        roles: ['case_handler'],
      },
    ],
    [
      'withdraw',
      { method: 'post', path: () => `/v1/complaints/${ids.d}/withdrawal`, body: { withdrawnAt: at('03') }, roles: ['case_handler'] },
    ],
    ['list complaints', { method: 'get', path: () => '/v1/complaints', roles: ['case_handler', 'auditor'] }],
    ['complaint', { method: 'get', path: () => `/v1/complaints/${ids.a}`, roles: ['case_handler', 'auditor'] }],
    ['history', { method: 'get', path: () => `/v1/complaints/${ids.a}/history`, roles: ['auditor'] }],
    ['export', { method: 'get', path: () => `/v1/complaints/${ids.a}/export`, roles: ['auditor'] }],
    ['integrity', { method: 'get', path: () => `/v1/complaints/${ids.a}/integrity`, roles: ['auditor'] }],
    ['breaches', { method: 'get', path: () => '/v1/breaches', roles: ['analyst', 'auditor'] }],
    ['TSM', { method: 'get', path: () => '/v1/statistics/tsm?year=2024', roles: ['analyst', 'auditor'] }],
    ['erasure', { method: 'post', path: () => '/v1/residents/erasure', body: { reference: 'RES-TO-ERASE' }, roles: ['admin'] }],
    ['liveness', { method: 'get', path: () => '/health/live', roles: 'public' }],
    ['readiness', { method: 'get', path: () => '/health/ready', roles: 'public' }],
    ['metrics', { method: 'get', path: () => '/metrics', roles: 'public' }],
  ];

  it.each(rows)('%s', async (_name, row) => {
    const path = await row.path();
    const call = (key?: string) => {
      const pending = anonymous()[row.method](path);
      if (key) void pending.set('X-API-Key', key);
      return row.body ? pending.send(row.body) : pending;
    };
    if (row.roles === 'public') {
      expect((await call()).status).toBe(200);
      return;
    }
    const none = await call();
    expect([none.status, none.headers['content-type']]).toEqual([401, expect.stringMatching(/^application\/problem\+json/)]);
    expect((await call('not-a-key-of-this-ledger-000000')).status).toBe(401);
    expect((await anonymous()[row.method](path).set('Authorization', 'Bearer wrong-wrong-wrong-wrong-wrong')).status).toBe(401);
    const allowed = row.roles;
    for (const role of ROLES.filter((r) => !allowed.includes(r))) {
      const refused = await call(KEYS[role]);
      expect([role, refused.status]).toEqual([role, 403]);
    }
    for (const role of allowed) {
      const accepted = await call(KEYS[role]);
      expect([role, accepted.status, accepted.status < 300 ? 'ok' : accepted.text]).toEqual([role, expect.any(Number), 'ok']);
    }
    // the Authorization header works as well as X-API-Key
    if (row.method === 'get') expect((await anonymous().get(path).set('Authorization', `Bearer ${KEYS[allowed[0]!]}`)).status).toBe(200);
  });

  it('records the principal as the actor, whatever the body says', async () => {
    const id = (
      await api(app, KEYS.case_handler)
        .post('/v1/complaints')
        .send({ ...complaintBody(), actor: 'mallory' })
    ).body.id;
    expect(id).toBeUndefined(); // an unknown field is refused outright…
    const created = (await api(app, KEYS.case_handler).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
    const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${created}/history`).expect(200)).body.events;
    expect(history[0].actor).toBe('api-key:case-system'); // …and the actor is the key's name
  });

  it("keeps a caller's correlation id unless it holds someone's telephone number: it is recorded and published for good", async () => {
    const kept = await api(app, KEYS.case_handler)
      .post('/v1/complaints')
      .set('X-Correlation-Id', 'hms-job-4411')
      .send(complaintBody())
      .expect(201);
    expect(kept.headers['x-correlation-id']).toBe('hms-job-4411');
    for (const personal of ['07700900123', 'tel-07700900123']) {
      const created = await api(app, KEYS.case_handler)
        .post('/v1/complaints')
        .set('X-Correlation-Id', personal)
        .send(complaintBody())
        .expect(201);
      expect(created.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${created.body.id}/history`).expect(200)).body.events;
      expect(history[0].correlationId).toBe(created.headers['x-correlation-id']);
    }
  });

  it('sends security headers and no CORS permission by default', async () => {
    const response = await anonymous().get('/health/live').set('Origin', 'https://evil.example');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toBe(plainHttpHeaders(securityHeaders())['content-security-policy']);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("with CORS open to an origin: its preflight may send the API's headers, traceparent included, and its scripts may read the answer's", async () => {
    const cors = await startApp({ LEDGER_CORS_ORIGINS: 'https://housing.example' });
    try {
      const preflight = await request(cors.getHttpServer())
        .options('/v1/complaints')
        .set('Origin', 'https://housing.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'x-api-key,content-type,idempotency-key,traceparent');
      expect(preflight.headers['access-control-allow-origin']).toBe('https://housing.example');
      expect(preflight.headers['access-control-allow-headers']).toContain('traceparent');
      const answer = await api(cors).get('/v1/complaints').set('Origin', 'https://housing.example');
      expect(answer.headers['x-correlation-id']).toBeTruthy();
      expect(answer.headers['access-control-expose-headers']?.split(/, */)).toEqual(
        expect.arrayContaining(['etag', 'x-correlation-id', 'retry-after']),
      );
      const elsewhere = await api(cors).get('/v1/complaints').set('Origin', 'https://evil.example');
      expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });

  it('serves the API docs over plain HTTP without asking the browser to upgrade to https (a blank page otherwise)', async () => {
    const response = await anonymous().get('/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('personal data: encrypted at rest, erasable, the record intact', () => {
  let app: NestFastifyApplication;
  const sqlitePath = tempSqlitePath();
  const secrets = {
    name: 'Zebedee Quuxley',
    email: 'zebedee.quuxley@example.org',
    needs: 'Profound hearing loss since 2019',
    // what people type into free text: a summary, a letter's gist
    summary: 'Zeb on 07700 900777 says the mould worsens his asthma',
    letter: 'Spoke to Mrs Quuxley about her pregnancy and the damp',
  };
  const bytesOnDisk = () =>
    readdirSync(dirname(sqlitePath))
      .map((file) => readFileSync(join(dirname(sqlitePath), file)).toString('latin1'))
      .join('\n');

  beforeAll(async () => {
    app = await startApp({ LEDGER_SQLITE_PATH: sqlitePath });
  });
  afterAll(async () => app.close());

  it('keeps names, contact details, disabilities and free text out of every file in clear, shows them to readers, and erases them for good', async () => {
    const body = complaintBody({ summary: secrets.summary, resident: { reference: 'RES-ZQ', name: secrets.name, email: secrets.email } });
    const id = (await api(app, KEYS.case_handler).post('/v1/complaints').send(body).expect(201)).body.id as string;
    await api(app, KEYS.case_handler)
      .post(`/v1/complaints/${id}/reasonable-adjustments`)
      .send({ recordedAt: at('02'), adjustment: 'Use text relay for calls', disclosedNeeds: secrets.needs })
      .expect(200);
    await api(app, KEYS.case_handler)
      .post(`/v1/complaints/${id}/correspondence`)
      .send({ occurredAt: at('03'), direction: 'outbound', party: 'resident', channel: 'phone', summary: secrets.letter })
      .expect(200);
    await api(app).get('/v1/complaints').expect(200); // the read models have caught up and written their files

    const files = readdirSync(dirname(sqlitePath));
    expect(files).toEqual(expect.arrayContaining(['ledger.sqlite', 'ledger.sqlite-wal', 'keys.sqlite', 'projections.sqlite']));
    for (const file of files) expect([file, statSync(join(dirname(sqlitePath), file)).mode & 0o777]).toEqual([file, 0o600]); // this service's user only
    const disk = bytesOnDisk(); // the event log, the read models and the key store, with their WAL files
    for (const secret of Object.values(secrets)) expect(disk).not.toContain(secret);
    expect(disk).toContain('RES-ZQ'); // the reference is how the landlord finds the resident: kept

    const history = () => api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200);
    const before = (await history()).body.events;
    expect(before[0].data.resident).toEqual({ reference: 'RES-ZQ', name: secrets.name, email: secrets.email });
    expect(before[1].data.disclosedNeeds).toBe(secrets.needs);
    expect([before[0].data.summary, before[2].data.summary]).toEqual([secrets.summary, secrets.letter]); // revealed to readers

    await api(app, KEYS.case_handler).post('/v1/residents/erasure').send({ reference: 'RES-ZQ' }).expect(403);
    const erased = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-ZQ' }).expect(200);
    expect(erased.body).toMatchObject({ reference: 'RES-ZQ', erasedNow: true, complaints: [id] });

    const after = (await history()).body.events;
    expect(after[0].data.resident).toEqual({ reference: 'RES-ZQ', name: '[erased]', email: '[erased]' });
    expect(after[1].data).toMatchObject({ adjustment: '[erased]', disclosedNeeds: '[erased]' });
    expect(after[0].data).toMatchObject({ summary: '[erased]', category: 'repairs', channel: 'email' }); // free text goes, structure stays
    expect(after[2].data).toMatchObject({ summary: '[erased]', direction: 'outbound', party: 'resident' });
    expect(after.at(-1)).toMatchObject({
      type: 'PersonalDataErased',
      actor: 'api-key:dpo',
      data: { residentReference: 'RES-ZQ', ground: 'request' },
    });
    expect(after[0].receivedAt ?? after[0].data.receivedAt).toBe(before[0].data.receivedAt); // dates stay
    const exported = JSON.stringify((await api(app, KEYS.auditor).get(`/v1/complaints/${id}/export`).expect(200)).body);
    for (const secret of Object.values(secrets)) expect(exported).not.toContain(secret);
    expect((await api(app, KEYS.auditor).get(`/v1/complaints/${id}/integrity`).expect(200)).body).toMatchObject({ valid: true });
    const complaint = (await api(app).get(`/v1/complaints/${id}`).expect(200)).body;
    expect(complaint.deadlines.length).toBeGreaterThan(0); // deadlines and findings are untouched

    const again = await api(app, KEYS.admin).post('/v1/residents/RES-ZQ/erasure').send({}).expect(200); // the path form too
    expect(again.body.erasedNow).toBe(false);
    expect((await history()).body.events.filter((e: { type: string }) => e.type === 'PersonalDataErased')).toHaveLength(1);
  });
});

describe('every resident reference intake accepts can be erased', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => app.close());

  const shapes = [
    'RES 1',
    'Zoë-2',
    "O'Brien-3",
    'RES#4',
    'RES:5',
    'res@6',
    'RES+7',
    'RES,8',
    'RES(9)',
    'RES[10]',
    'A/11',
    'B.12',
    'RES_13?x=1',
  ];
  it.each(shapes)('%j: recorded, then erased by the body form', async (reference) => {
    const name = `Person ${reference}`;
    const id = (
      await api(app, KEYS.case_handler)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference, name } }))
        .expect(201)
    ).body.id as string;
    const erased = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference }).expect(200);
    expect(erased.body).toMatchObject({ reference, erasedNow: true, complaints: [id] });
    const complaint = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body;
    expect(complaint.events[0].data.resident).toEqual({ reference, name: '[erased]' });
  });

  it.each([
    ['resident.reference', { resident: { reference: '   ' } }],
    ['resident.reference', { resident: { reference: ' RES-1' } }],
    ['resident.reference', { resident: { reference: 'RES\u00071' } }],
    ['category', { category: ' \t ' }],
    ['summary', { summary: '\n' }],
  ])('refuses blank or unprintable required text at intake, naming %s', async (field, extra) => {
    const response = await api(app, KEYS.case_handler).post('/v1/complaints').send(complaintBody(extra)).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('says so when an erasure matches nobody (an unknown reference, another case), erasing nothing', async () => {
    const reference = 'RES-Case-1';
    const id = (
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference, name: 'Kept Here' } }))
        .expect(201)
    ).body.id as string;
    for (const asked of ['RES-UNKNOWN-1', 'res-case-1', 'RES-CASE-1']) {
      const response = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: asked }).expect(404);
      expect(response.body).toMatchObject({ code: 'RESIDENT.NOT_FOUND' });
    }
    const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body;
    expect(history.events[0].data.resident).toEqual({ reference, name: 'Kept Here' }); // still readable
    expect(history.events.map((e: { type: string }) => e.type)).not.toContain('PersonalDataErased');
  });

  it.each([
    ['decomposed at intake, precomposed at erasure', 'Zoe\u0308-77', 'Zo\u00eb-77'],
    ['precomposed at intake, decomposed at erasure', 'Zo\u00eb-78', 'Zoe\u0308-78'],
  ])('normalises a reference one way (NFC) at intake and at erasure: %s', async (_, atIntake, atErasure) => {
    const id = (
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: atIntake, name: 'Zoë' } }))
        .expect(201)
    ).body.id as string;
    const erased = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: atErasure }).expect(200);
    expect(erased.body).toMatchObject({ reference: atIntake.normalize('NFC'), erasedNow: true, complaints: [id] });
    const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body;
    expect(history.events[0].data.resident).toEqual({ reference: atIntake.normalize('NFC'), name: '[erased]' });
  });

  it('refuses an erasure whose reference no intake could have accepted, naming the rule', async () => {
    const response = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: ' padded ' }).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'reference', rule: 'residentReference' })]);
    await api(app, KEYS.admin).post('/v1/residents/erasure').send({}).expect(400);
  });
});

describe('credentials and start-up', () => {
  const base = { LEDGER_STORE: 'memory', LEDGER_BREACH_SWEEP_SECONDS: '0', LEDGER_KEYS_PATH: ':memory:' };

  it('refuses to start with no keys, or with no master key', async () => {
    await expect(createApp({ config: loadConfig({ ...base, LEDGER_MASTER_KEY: TEST_MASTER_KEY }), logger: false })).rejects.toThrow(
      /no credentials configured/,
    );
    await expect(createApp({ config: loadConfig({ ...base, LEDGER_API_KEYS: `x:admin:${KEYS.admin}` }), logger: false })).rejects.toThrow(
      /LEDGER_MASTER_KEY/,
    );
    expect(() => loadConfig({ ...base, LEDGER_API_KEYS: 'x:janitor:short' })).not.toThrow(); // format is checked when the app starts
    await expect(
      createApp({ config: loadConfig({ ...base, LEDGER_API_KEYS: 'x:janitor:short', LEDGER_MASTER_KEY: TEST_MASTER_KEY }), logger: false }),
    ).rejects.toThrow(/roles must be among/);
  });

  it('refuses a JWKS URL over plain http except on this machine', () => {
    const jwt = { ...base, LEDGER_JWT_ISSUER: 'https://idp.landlord.test' };
    expect(() => loadConfig({ ...jwt, LEDGER_JWT_JWKS_URL: 'http://idp.landlord.test/jwks' })).toThrow(
      /LEDGER_JWT_JWKS_URL: must be https/,
    );
    for (const url of ['https://idp.landlord.test/jwks', 'http://localhost:8080/jwks', 'http://127.0.0.1/jwks', 'http://[::1]:9/jwks'])
      expect(() => loadConfig({ ...jwt, LEDGER_JWT_JWKS_URL: url })).not.toThrow();
  });

  it('refuses a LEDGER_THREADS that is not true or false, naming it; on by default', () => {
    expect(() => loadConfig({ ...base, LEDGER_THREADS: 'yes' })).toThrow(/LEDGER_THREADS must be true or false/);
    expect(loadConfig({ ...base, LEDGER_THREADS: 'false' }).LEDGER_THREADS).toBe(false);
    expect(loadConfig(base).LEDGER_THREADS).toBe(true);
  });

  it('refuses a LEDGER_* name that is not a setting, naming the closest one', () => {
    expect(() => loadConfig({ ...base, LEDGER_STORES: 'sqlite' })).toThrow(
      /LEDGER_STORES: not a setting of the ledger; did you mean LEDGER_STORE\?/,
    );
    expect(() => loadConfig({ ...base, LEDGER_SQLITE_WRITER_THREAD: 'true' })).toThrow(/LEDGER_SQLITE_WRITER_THREAD: not a setting/);
    expect(() => loadConfig({ ...base, LEDGER_ZZZ: '1' })).toThrow(/LEDGER_ZZZ: not a setting of the ledger$/m);
    expect(() => loadConfig({ ...base, HOME: '/root', PATH: '/bin' })).not.toThrow(); // only the ledger's own prefix is checked
  });

  it('picks up a changed keys file without a restart', async () => {
    const file = join(dirname(tempSqlitePath()), 'keys');
    const first = 'first-key-0123456789abcdefghijklmn';
    const second = 'second-key-0123456789abcdefghijklm';
    writeFileSync(file, `# keys\nsystem-a:analyst:${first}\n`);
    const app = await startApp({ LEDGER_API_KEYS: '', LEDGER_API_KEYS_FILE: file });
    try {
      await api(app, first).get('/v1/breaches').expect(200);
      await api(app, second).get('/v1/breaches').expect(401);
      writeFileSync(file, `system-b:analyst:${second}\n`); // first revoked, second added
      await until(async () => (await api(app, second).get('/v1/breaches')).status === 200);
      await api(app, first).get('/v1/breaches').expect(401);
    } finally {
      await app.close();
    }
  });

  it('accepts JWTs signed by the configured issuer, with roles from the token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    const app = await startApp({ LEDGER_JWT_JWKS_URL: url, LEDGER_JWT_ISSUER: 'https://idp.landlord.test' });
    const token = (claims: object, issuer = 'https://idp.landlord.test', expires = '5m') =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('auditor@landlord.test')
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(expires)
        .sign(privateKey);
    const bearer = async (jwt: Promise<string>) =>
      request(app.getHttpServer())
        .get('/v1/statistics/tsm?year=2024')
        .set('Authorization', `Bearer ${await jwt}`);
    try {
      expect((await bearer(token({ roles: ['analyst'] }))).status).toBe(200);
      expect((await bearer(token({ roles: 'case_handler' }))).status).toBe(403);
      expect((await bearer(token({ roles: ['analyst'] }, 'https://elsewhere.test'))).status).toBe(401);
      expect((await bearer(token({ roles: ['analyst'] }, undefined, '-1m'))).status).toBe(401);
      expect((await bearer(token({}))).status).toBe(401); // no known role: not a principal of this ledger
      const signed = (shape: (jwt: SignJWT) => SignJWT) =>
        shape(
          new SignJWT({ roles: ['analyst'] })
            .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
            .setSubject('auditor@landlord.test')
            .setIssuer('https://idp.landlord.test'),
        ).sign(privateKey);
      const now = Math.floor(Date.now() / 1000);
      expect((await bearer(signed((jwt) => jwt.setIssuedAt()))).status).toBe(401); // no exp: it would never expire
      expect((await bearer(signed((jwt) => jwt.setIssuedAt(now + 600).setExpirationTime(now + 900)))).status).toBe(401); // issued in the future
      expect((await bearer(signed((jwt) => jwt.setIssuedAt(now + 30).setExpirationTime(now + 300)))).status).toBe(200); // within clock tolerance
      expect((await bearer(signed((jwt) => jwt.setIssuedAt().setExpirationTime('2d')))).status).toBe(401); // lives longer than 24 hours
      expect((await bearer(signed((jwt) => jwt.setExpirationTime('2d')))).status).toBe(401); // the same, without iat
      expect((await bearer(signed((jwt) => jwt.setIssuedAt().setExpirationTime('23h')))).status).toBe(200);
    } finally {
      await app.close();
      jwks.close();
    }
  });

  it('limits the request rate per client, with a problem+json 429', async () => {
    const app = await startApp({ LEDGER_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await api(app).get('/v1/breaches')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await api(app).get('/v1/breaches');
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await request(app.getHttpServer()).get('/health/ready')).status).toBe(200); // health is never limited
    } finally {
      await app.close();
    }
  });

  it('puts /metrics behind LEDGER_METRICS_KEY when it is set', async () => {
    const app = await startApp({ LEDGER_METRICS_KEY: 'metrics-key-0123456789abcdefghij' });
    try {
      expect((await request(app.getHttpServer()).get('/metrics')).status).toBe(401);
      expect(
        (await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer metrics-key-0123456789abcdefghij')).status,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = scaled(30_000)): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
