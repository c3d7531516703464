import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import type { Ledger } from '@complaint-ledger/ledger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, startAppWith, testConfig } from './support';

// A replica on EventStoreDB whose clock is off (decision 0029): every event's record time is its
// clock, so beyond LEDGER_MAX_CLOCK_OFFSET_MS it records nothing and says why; once its clock is
// set right, it takes commands again. The stand-in keeps real time; the replica's clock is moved.
let app: NestFastifyApplication;
let server: EventStoreDbStandIn;
let aheadMs = 10 * 60_000; // ten minutes fast, as a host without NTP drifts
const replicaClock = () => new Date(Date.now() + aheadMs).toISOString();
const http = () => api(app);

beforeAll(async () => {
  server = await EventStoreDbStandIn.start();
  const config = testConfig({
    LEDGER_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: server.connectionString,
    LEDGER_PROJECTIONS_PATH: ':memory:',
    LEDGER_KEYS_PATH: ':memory:',
    LEDGER_MAX_CLOCK_OFFSET_MS: '2000',
  });
  const store = EventStoreDbEventStore.connect(server.connectionString, { clock: replicaClock });
  app = await startAppWith(config, { clock: replicaClock, store }); // the first probe runs as it starts
});
afterAll(async () => {
  await app.close();
  await server.stop();
});

it('refuses commands with 503 CLOCK.OFFSET naming the offset and the setting, and answers not ready, while its clock is off', async () => {
  const refused = await http().post('/v1/complaints').send(complaintBody()).expect(503);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(refused.body).toMatchObject({ code: 'CLOCK.OFFSET', title: 'Clock out of bounds', status: 503 });
  expect(refused.body.detail).toMatch(/clock is \d{6} ms ahead of the event store's .* LEDGER_MAX_CLOCK_OFFSET_MS \(2000 ms\)/);
  expect(refused.body.detail).toMatch(/Nothing was recorded/);

  const ready = await http().get('/health/ready').expect(503);
  expect(ready.body.checks.clock).toMatchObject({ status: 'beyond', maxOffsetMs: 2000, lastProbe: expect.any(String) });
  expect(ready.body.checks.clock.offsetMs).toBeLessThan(-590_000);
  expect(ready.body.checks.clock.offsetMs).toBeGreaterThan(-610_000);
  expect(ready.body.checks.eventStore).toBe('up');
  expect(await app.get<Ledger>(LEDGER).store.readAll(-1, 10)).toEqual([]); // nothing reached the log
});

it('takes commands again (201) and answers ready once a probe finds its clock within bounds', async () => {
  aheadMs = 0; // set right (NTP caught up)
  await app.get<Ledger>(LEDGER).clockWatch.probe(); // as the next periodic probe would
  await http().post('/v1/complaints').send(complaintBody()).expect(201);
  const ready = await http().get('/health/ready').expect(200);
  expect(ready.body.checks.clock).toMatchObject({ status: 'within', maxOffsetMs: 2000 });
  expect(Math.abs(ready.body.checks.clock.offsetMs)).toBeLessThanOrEqual(2000);
});
