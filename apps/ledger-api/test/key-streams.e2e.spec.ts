import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventKeyRing, EventStoreDbEventStore, eventKeyOf, type NewEvent } from '@complaint-ledger/event-store';
import { verifyStoredLedger } from '@complaint-ledger/ledger';
import { keyStream, residentKeysStream } from '../../../libs/ledger/src/keys/eventstore-key-store';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { api, complaintBody, KEYS, NOW, onEventStoreDbWithEventKey, startAppWith } from './support';

/**
 * Residents' keys in EventStoreDB (decision 0028) are checked as the ledger's own streams are:
 * someone able to write to the server but without the event key (a database administrator, a
 * stolen client certificate) cannot forge a resident's erasure, which would have the ledger give
 * them a new key and report them erased to an auditor. The real client, against the stand-in.
 */
let app: NestFastifyApplication;
let server: EventStoreDbStandIn;
let intruder: EventStoreDbEventStore;
/** What an auditor runs beside the server (`npm run verify -- esdb://…`), with the keys kept outside it. */
let verify: () => ReturnType<typeof verifyStoredLedger>;
// a ledger of its own for each test: each attack breaks the one it is made on
beforeEach(async () => {
  server = await EventStoreDbStandIn.start();
  server.clock = () => Date.parse(NOW);
  const { config, secret, signedStore } = onEventStoreDbWithEventKey(server.connectionString, {
    LEDGER_KEY_CACHE_SECONDS: '0', // every command reads the resident's keys stream afresh
  });
  app = await startAppWith(config, { store: signedStore() });
  intruder = EventStoreDbEventStore.connect(server.connectionString, { clock: () => NOW }); // no event key
  const checks = { key: null, witnessed: [], eventKeys: new EventKeyRing([eventKeyOf(secret)]) };
  verify = () => verifyStoredLedger(server.connectionString, { ...checks, masterKey: Buffer.from(config.LEDGER_MASTER_KEY!, 'base64') });
});
afterEach(async () => {
  await app.close();
  await intruder.close();
  await server.stop();
});

it("verifies beside the server: every key stream and resident stream as the ledger wrote it, every key opening as its resident's", async () => {
  await api(app)
    .post('/v1/complaints')
    .send(complaintBody({ resident: { reference: 'RES-INTACT' } }))
    .expect(201);

  const verdict = await verify();

  expect(verdict).toMatchObject({ valid: true, break: null, keyStreams: { keyStreams: 1, residents: 1, wrapsOpened: true, break: null } });
});

it('a resident erased through the ledger: their keys deleted, which is no alarm; a new complaint from them is given a new key, and all verifies', async () => {
  const resident = { reference: 'RES-ERASED', name: 'Sam Resident' };
  await api(app).post('/v1/complaints').send(complaintBody({ resident })).expect(201);
  await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: resident.reference }).expect(200);

  await api(app).post('/v1/complaints').send(complaintBody({ resident })).expect(201);

  expect(await verify()).toMatchObject({ valid: true, break: null, keyStreams: { residents: 1, break: null } });
  const ready = await request(app.getHttpServer()).get('/health/ready');
  expect(ready.body.checks.integrity.status).not.toBe('broken');
});

it("a resident's erasure appended on the server without the event key is not taken: their next command is refused, and the ledger reports the break", async () => {
  const resident = { reference: 'RES-FORGED', name: 'Sam Resident' };
  await api(app).post('/v1/complaints').send(complaintBody({ resident })).expect(201);
  const stream = residentKeysStream(resident.reference);
  const [assigned] = await intruder.readStream(stream);
  const forged: NewEvent = {
    eventId: randomUUID(),
    type: 'ResidentKeysErased',
    data: { erasedAt: NOW, actor: 'api-key:dpo', reason: 'resident asked', keyIds: [(assigned!.data as { keyId: string }).keyId] },
    metadata: { occurredAt: NOW, actor: 'api-key:dpo', correlationId: randomUUID(), schemaVersion: 1 },
  };
  await intruder.append(stream, [forged], assigned!.revision);

  const refused = await api(app).post('/v1/complaints').send(complaintBody({ resident }));

  expect(refused.status).toBe(503);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(refused.body.detail).toMatch(/RES-FORGED.*not as the ledger wrote it.*does not authenticate/);
  const ready = await request(app.getHttpServer()).get('/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.checks.integrity).toMatchObject({ status: 'broken', break: expect.stringContaining('event-unauthenticated') });
  // nothing was recorded for the refused command
  const receipts = server.log.events.filter((event) => event.type === 'ComplaintReceived');
  const theirs = receipts.filter((event) => JSON.parse(Buffer.from(event.data).toString()).resident.reference === resident.reference);
  expect(theirs).toHaveLength(1);
  // and the auditor's verification beside the server names the forged event
  const verdict = await verify();
  expect(verdict).toMatchObject({ valid: false, break: { kind: 'event-unauthenticated', streamId: stream, revision: 1 } });
});

it("a resident's live key deleted on the server, with no erasure of theirs recorded, is reported as altered, not taken for an erasure", async () => {
  const resident = { reference: 'RES-KEY-DELETED', name: 'Sam Resident' };
  const { body } = await api(app).post('/v1/complaints').send(complaintBody({ resident })).expect(201);
  const [assigned] = await intruder.readStream(residentKeysStream(resident.reference));
  await intruder.tombstone(keyStream((assigned!.data as { keyId: string }).keyId));

  const verdict = await verify();
  const refused = await api(app).post('/v1/complaints').send(complaintBody({ resident }));

  expect(verdict).toMatchObject({
    valid: false,
    break: { kind: 'key-store-altered', detail: expect.stringMatching(/never erased, is gone from the store/) },
  });
  expect(refused.status).toBe(503);
  expect(refused.body.detail).toMatch(/is gone from the store with no erasure of theirs recorded/);
  // reads go on, and show their data withheld as tampered with, never as erased
  const { events } = (await api(app, KEYS.auditor).get(`/v1/complaints/${body.id}/history`).expect(200)).body;
  expect(events[0].data.resident).toEqual({ reference: resident.reference, name: '[withheld: key file altered]' });
});
