import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { api, complaintBody, NOW, startAppWith, testConfig } from './support';

// The HTTP API on the EventStoreDB adapter, its real client over the wire to a stand-in server
// (CI can run no EventStoreDB): the same answers as on SQLite where the adapter's mapping matters.
let app: NestFastifyApplication;
let server: EventStoreDbStandIn;
const http = () => api(app);
beforeAll(async () => {
  server = await EventStoreDbStandIn.start();
  server.clock = () => Date.parse(NOW); // the server's clock agrees with the ledger's fixed one (decision 0029)
  const config = testConfig({
    LEDGER_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: server.connectionString,
    LEDGER_PROJECTIONS_PATH: ':memory:',
    LEDGER_KEYS_PATH: ':memory:',
  });
  app = await startAppWith(config, { store: EventStoreDbEventStore.connect(server.connectionString, { clock: () => NOW }) });
});
afterAll(async () => {
  await app.close();
  await server.stop();
});

const acknowledgement = (at: string) => ({ stage: 1, acknowledgedAt: at, complaintDefinition: 'Leak' });

it('records a complaint and its acknowledgement, with a verified hash chain and deadlines', async () => {
  const { body } = await http().post('/v1/complaints').send(complaintBody()).expect(201);
  await http()
    .post(`/v1/complaints/${body.id}/acknowledgements`)
    .set('If-Match', '"0"')
    .send(acknowledgement('2024-05-02T10:00:00+01:00'))
    .expect(200);
  const complaint = await http().get(`/v1/complaints/${body.id}`).expect(200);
  expect(complaint.headers.etag).toBe('"1"');
  expect(complaint.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'acknowledgement', status: 'met' })]));
  const integrity = await http().get(`/v1/complaints/${body.id}/integrity`).expect(200);
  expect(integrity.body).toMatchObject({ valid: true, events: 2 });
});

it('maps a stale If-Match to 412 and concurrent conflicting commands to one winner', async () => {
  const { body } = await http().post('/v1/complaints').send(complaintBody()).expect(201);
  await http()
    .post(`/v1/complaints/${body.id}/correspondence`)
    .set('If-Match', '"5"')
    .send({
      occurredAt: '2024-05-03T10:00:00+01:00',
      direction: 'inbound',
      party: 'resident',
      channel: 'phone',
      summary: 'Called',
    })
    .expect(412);
  const responses = await Promise.all(
    ['2024-05-02T10:00:00+01:00', '2024-05-03T10:00:00+01:00'].map((at) =>
      http().post(`/v1/complaints/${body.id}/acknowledgements`).send(acknowledgement(at)),
    ),
  );
  expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
  expect((await http().get(`/v1/complaints/${body.id}/history`)).body.events).toHaveLength(2);
});
