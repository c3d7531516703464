import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, complaintBody, KEYS, startApp, uploadDocument } from './support';

/**
 * A client's mistakes found by fuzzing the API (null where a field may only be left out, names
 * every object inherits, days the calendar has not, a precondition on a complaint that is not
 * there, a position the read models have not reached): each is a 4xx or a 503 to come back to,
 * problem+json naming the field and rule, never a 500, and nothing recorded.
 */
let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(() => app.close());

const received = async () => (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
const historyOf = async (id: string) => (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body.events;
const expectRefused = (answer: { status: number; headers: Record<string, string>; body: { errors?: unknown } }, field: string) => {
  expect(answer.status).toBe(400);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  // each broken rule names the field (a null list breaks several: an array, its size, its items)
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule: expect.any(String) })]));
  expect((answer.body.errors as { field: string }[]).filter((error) => error.field !== field)).toEqual([]);
};

it.each([
  ['issueOccurredAt', { issueOccurredAt: null }],
  ['residentAwareAt', { residentAwareAt: null }],
  ['representative.consentReceivedAt', { representative: { name: 'Pat Advocate', consentReceivedAt: null } }],
])('a receipt with %s null is 400 naming it (a field may be left out, not sent as null)', async (field, extra) => {
  expectRefused(await api(app).post('/v1/complaints').send(complaintBody(extra)), field);
});

it('a response with remedies null, and a correction whose replacement has them null, are 400 naming them; nothing is recorded', async () => {
  const id = await received();
  await api(app)
    .post(`/v1/complaints/${id}/acknowledgements`)
    .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' })
    .expect(200);
  const response = {
    stage: 1,
    respondedAt: '2024-05-10T10:00:00+01:00',
    decision: 'upheld',
    reasons: 'Repairs late',
    escalationRightsGiven: true,
    outstandingActions: [],
  };
  expectRefused(
    await api(app)
      .post(`/v1/complaints/${id}/responses`)
      .send({ ...response, remedies: null }),
    'remedies',
  );
  await api(app).post(`/v1/complaints/${id}/responses`).send(response).expect(200); // revision 2, to correct
  const before = await historyOf(id);
  expectRefused(
    await api(app)
      .post(`/v1/complaints/${id}/corrections`)
      .send({ revision: 2, reason: 'Wrong', replacement: { ...response, remedies: null } }),
    'replacement.remedies',
  );

  expect(await historyOf(id)).toEqual(before);
});

it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
  'a body or query naming %s, which every object inherits, is 400 as any unknown field',
  async (name) => {
    expectRefused(
      await api(app)
        .post('/v1/complaints')
        .send({ ...complaintBody(), [name]: 'x' }),
      name,
    );
    expectRefused(
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: 'RES-1', name: 'Sam', [name]: 'x' } })),
      `resident.${name}`,
    );
    expectRefused(await api(app, KEYS.case_handler).get(`/v1/complaints?${name}=x`), name);
  },
);

it.each(['2024-02-30', '2024-13-45', '0000-00-00'])('a list from %s, a day the calendar has not, is 400 naming the filter', async (day) => {
  expectRefused(await api(app, KEYS.case_handler).get(`/v1/complaints?receivedFrom=${day}`), 'receivedFrom');
});

it('If-Match naming a revision of a complaint that is not there is 404, as without it (a 404 comes before preconditions)', async () => {
  const answer = await api(app)
    .post('/v1/complaints/00000000-0000-4000-8000-000000000000/acknowledgements')
    .set('if-match', '"0"')
    .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' });
  expect(answer.status).toBe(404);
  expect(answer.body).toMatchObject({ code: 'COMPLAINT.NOT_FOUND' });
});

it('a list asked for at a log position the read models have not reached is 503 READ_MODELS.BEHIND with Retry-After, not a 500', async () => {
  const answer = await api(app, KEYS.case_handler).get('/v1/complaints?minPosition=99999999');
  expect(answer.status).toBe(503);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.headers['retry-after']).toBe('1');
  expect(answer.body).toMatchObject({ code: 'READ_MODELS.BEHIND' });
});

it('a document named in upper case is the document attached', async () => {
  const id = await received();
  const pdf = readFileSync(join(__dirname, '../../../test/fixtures', 'letter.pdf'));
  const attached = (await uploadDocument(app, id, pdf, { title: 'Letter' }).expect(201)).body;
  await api(app)
    .post(`/v1/complaints/${id}/correspondence`)
    .send({
      occurredAt: '2024-05-20T10:00:00+01:00',
      direction: 'outbound',
      party: 'resident',
      channel: 'letter',
      summary: 'Sent',
      documentIds: [attached.documentId.toUpperCase()],
    })
    .expect(200);
});

it("the same request sent again with the complaint's id in capitals is the same request: recorded once", async () => {
  const id = await received();
  const note = { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Called' };
  await api(app).post(`/v1/complaints/${id}/correspondence`).send(note).expect(200);
  const again = await api(app).post(`/v1/complaints/${id.toUpperCase()}/correspondence`).send(note).expect(200);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect((await historyOf(id)).filter((event: { type: string }) => event.type === 'CorrespondenceRecorded')).toHaveLength(1);
});

it.each(['2024-03-31T01:30:00', '2024-10-27T01:30:00'])(
  'a receipt at %s without an offset, a London time the clocks skipped or passed twice, is refused naming the field (no one instant)',
  async (receivedAt) => {
    const answer = await api(app).post('/v1/complaints').send(complaintBody({ receivedAt }));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(answer.body)).toContain('receivedAt');
  },
);

it('a consistency proof asked from a larger tree to a smaller is 400 naming from', async () => {
  expectRefused(await api(app, KEYS.auditor).get('/v1/ledger/consistency?from=1&to=0'), 'from');
});

it('a body of five thousand unknown fields is answered in a page: the first fifty named, the rest counted', async () => {
  const body = { ...complaintBody(), ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`u${i}`, 1])) };
  const answer = await api(app).post('/v1/complaints').send(body);
  expect(answer.status).toBe(400);
  expect(answer.body.errors).toHaveLength(50);
  expect(answer.body.detail).toMatch(/; and 4950 more$/);
  expect(answer.text.length).toBeLessThan(20_000);
});

it("with an Idempotency-Key too: the same request with the complaint's id in capitals replays, it is not a key reused", async () => {
  const id = await received();
  const note = {
    occurredAt: '2024-05-04T10:00:00+01:00',
    direction: 'inbound',
    party: 'resident',
    channel: 'phone',
    summary: 'Called again',
  };
  await api(app).post(`/v1/complaints/${id}/correspondence`).set('idempotency-key', `note-${id}`).send(note).expect(200);
  const again = await api(app).post(`/v1/complaints/${id.toUpperCase()}/correspondence`).set('idempotency-key', `note-${id}`).send(note);
  expect([again.status, again.headers['idempotent-replayed']]).toEqual([200, 'true']);
});

it("a complaint's documents asked for as the ledger knew it before the complaint was recorded: 404, as its history says", async () => {
  const id = await received();
  const history = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history?knownAt=2020-01-01T00:00:00Z`);
  const documents = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/documents?knownAt=2020-01-01T00:00:00Z`);
  expect([documents.status, documents.body.code]).toEqual([history.status, history.body.code]);
  expect(documents.status).toBe(404);
});

it("an extension whose reason (kept in clear, counted by the annual report) holds a resident's telephone number is 422 naming reason; nothing is recorded", async () => {
  const id = await received();
  await api(app)
    .post(`/v1/complaints/${id}/acknowledgements`)
    .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' })
    .expect(200);
  const before = await historyOf(id);
  const answer = await api(app).post(`/v1/complaints/${id}/extensions`).send({
    stage: 1,
    notifiedAt: '2024-05-10T10:00:00+01:00',
    newDeadline: '2024-05-31',
    reason: 'Resident asked us to ring 07700 900123 first',
    ombudsmanDetailsGiven: true,
  });
  expect(answer.status).toBe(422);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ code: 'PERSONAL_DATA.IN_CLEAR', errors: [expect.objectContaining({ field: 'reason' })] });
  expect(answer.text).not.toContain('07700');
  expect(await historyOf(id)).toEqual(before);
});

it("a receipt under a complaint id whose first digits read like a telephone number is recorded: an id is no one's number", async () => {
  const complaintId = '00020950-937f-4278-8d0c-3b7c5f7a9e21';
  const answer = await api(app).post('/v1/complaints').send(complaintBody({ complaintId }));
  expect([answer.status, answer.body.id]).toEqual([201, complaintId]);
});
