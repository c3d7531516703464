import { randomUUID } from 'node:crypto';
import { EventStoreDbEventStore, SqliteEventStore } from '@complaint-ledger/event-store';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Database from 'better-sqlite3';
import { openSync } from 'node:fs';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { api, complaintBody, NOW, startAppWith, tempSqlitePath, testConfig } from './support';
import { scaled } from '../../../test/support/timeouts';

/**
 * Fault tests: the store unavailable at start-up and mid-run, and the disk full. Each time the
 * client gets a clear 503 problem+json, readiness says so, nothing is half-written, and the
 * service recovers by itself once the store is back. (The Kafka broker down is covered by
 * libs/messaging/test/kafka.int.spec.ts and kafka.e2e.spec.ts.)
 */
type Response = { status: number; headers: Record<string, string>; body: { title?: string; detail?: string } };
const expect503 = (response: Response, title = 'Event store unavailable') => {
  expect(response.status).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.title).toBe(title);
};
/** A 503 that says retrying here is no use until the instance is restarted. */
const expect503UntilRestart = (response: Response) => {
  expect503(response, 'Storage unavailable until restart');
  expect(response.body.detail).toMatch(/^Nothing was recorded\. .*until it is restarted/);
};

describe('EventStoreDB unavailable (the adapter and its client over a stand-in server that can go down)', () => {
  let app: NestFastifyApplication;
  let server: EventStoreDbStandIn;
  const client = {
    set down(down: boolean) {
      server.mode = down ? 'refusing' : 'serving';
    },
  };
  beforeAll(async () => {
    server = await EventStoreDbStandIn.start();
    client.down = true; // down before the service starts
    const config = testConfig({
      LEDGER_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      LEDGER_PROJECTIONS_PATH: ':memory:',
      LEDGER_KEYS_PATH: ':memory:',
    });
    const store = EventStoreDbEventStore.connect(server.connectionString, { clock: () => NOW, resubscribeDelayMs: 20, deadlineMs: 500 });
    app = await startAppWith(config, { store });
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('starts, says it is not ready, answers commands with 503, and recovers without a restart', async () => {
    const ready = await api(app).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ eventStore: 'down', projections: { status: 'failing' } });
    expect503(await api(app).post('/v1/complaints').send(complaintBody()));

    client.down = false; // the server is back
    expect((await api(app).get('/health/ready')).status).toBe(200);
    const started = Date.now(); // the read side retries its catch-up by itself (every second)
    while ((await api(app).get('/health/ready')).body.checks.projections.status !== 'up') {
      if (Date.now() - started > 5000) throw new Error('projections did not recover');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const id = (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id;

    client.down = true; // and goes away mid-run
    expect503(
      await api(app)
        .post(`/v1/complaints/${id}/acknowledgements`)
        .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' }),
    );
    expect((await api(app).get('/health/ready')).status).toBe(503);
    client.down = false;
    await api(app)
      .post(`/v1/complaints/${id}/acknowledgements`)
      .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' })
      .expect(200);
    const history = await api(app).get(`/v1/complaints/${id}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['ComplaintReceived', 'Acknowledged']); // nothing from the failed attempts
  });

  it('a server that stops answering: readiness and commands answer 503 within the deadline, never hang', async () => {
    server.mode = 'silent';
    try {
      const started = Date.now();
      const ready = await api(app).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.eventStore).toBe('down');
      expect503(await api(app).post('/v1/complaints').send(complaintBody()));
      expect(Date.now() - started).toBeLessThan(scaled(3_000)); // readiness gives up at 500 ms, the command's read at 500 ms
    } finally {
      server.mode = 'serving';
    }
    const ready = await api(app).get('/health/ready').expect(200);
    expect(ready.body.checks.eventStoreSubscription).toMatchObject({ status: 'live' });
  });
});

describe('an append the server makes but answers too late (the outcome unknown to the service)', () => {
  let app: NestFastifyApplication;
  let server: EventStoreDbStandIn;
  beforeAll(async () => {
    server = await EventStoreDbStandIn.start();
    const config = testConfig({
      LEDGER_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      LEDGER_PROJECTIONS_PATH: ':memory:',
      LEDGER_KEYS_PATH: ':memory:',
    });
    app = await startAppWith(config, {
      store: EventStoreDbEventStore.connect(server.connectionString, { clock: () => NOW, deadlineMs: 500 }),
    });
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it.each([
    ['with an Idempotency-Key', { 'idempotency-key': 'retry-me-1' }],
    ['without one (the ledger recognises the identical request)', {}],
  ])('says the outcome is unknown, never "nothing was recorded"; the retry %s records the fact once', async (_, headers) => {
    const { id } = (
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: `RES-${randomUUID()}` } }))
        .expect(201)
    ).body;
    const acknowledgement = { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' };
    server.appendAnswerDelayMs = 1_500;
    const late = await api(app).post(`/v1/complaints/${id}/acknowledgements`).set(headers).send(acknowledgement);
    server.appendAnswerDelayMs = 0;
    expect(late.status).toBe(503);
    expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(late.body).toMatchObject({ code: 'STORE.OUTCOME_UNKNOWN', title: 'Outcome unknown' });
    expect(late.body.detail).not.toMatch(/nothing was recorded/i);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the server's late answer is gone by now
    const retry = await api(app).post(`/v1/complaints/${id}/acknowledgements`).set(headers).send(acknowledgement).expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const history = await api(app).get(`/v1/complaints/${id}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['ComplaintReceived', 'Acknowledged']);
  });
});

describe('the disk full (SQLite refuses to grow: SQLITE_FULL)', () => {
  it('answers 503 with nothing half-written, and takes writes again once there is room', async () => {
    const path = tempSqlitePath();
    const store = new SqliteEventStore(path, () => NOW); // the test holds the store, to limit its file's growth
    const full = await startAppWith(testConfig({ LEDGER_SQLITE_PATH: path }), { store });
    try {
      const db = (store as unknown as { db: Database.Database }).db;
      await api(full).post('/v1/complaints').send(complaintBody()).expect(201);
      const before = await store.readAll(-1, 1000);
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`); // no page more
      const big = complaintBody({ summary: 'x'.repeat(5000) }); // ten of these need new pages
      const refused = await Promise.all(Array.from({ length: 10 }, () => api(full).post('/v1/complaints').send(big)));
      for (const response of refused) expect503(response);
      expect(await store.readAll(-1, 1000)).toEqual(before); // not one event of the batch was written
      db.pragma('max_page_count = 1073741823'); // room again
      await api(full).post('/v1/complaints').send(big).expect(201);
      expect((await store.readAll(-1, 1000)).length).toBe(before.length + 1);
      await api(full).get('/health/ready').expect(200);
    } finally {
      await full.close();
    }
  });
});

describe("the data-key file's fsync failing before the log's commit (a write-back error)", () => {
  it('answers 503 with nothing written, then refuses personal data and is not ready until a restart', async () => {
    const path = tempSqlitePath();
    const store = new SqliteEventStore(path, () => NOW); // the test holds the store, to break the fsync it makes
    const app = await startAppWith(testConfig({ LEDGER_SQLITE_PATH: path }), { store }); // keys.sqlite beside the log
    try {
      await api(app).post('/v1/complaints').send(complaintBody()).expect(201);
      expect((await api(app).get('/health/ready').expect(200)).body.checks.dataKeys).toBe('up');
      const before = await store.readAll(-1, 1000);
      // the fd the log fsyncs the key file's WAL by now names /dev/null, whose fsync fails (EINVAL)
      const internals = store as unknown as { dependency: { on: unknown; fd: number } };
      internals.dependency = { ...internals.dependency, fd: openSync('/dev/null', 'r') };
      const refused = await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: 'RES-2002', name: 'New Resident' } }));
      expect503UntilRestart(refused);
      expect(await store.readAll(-1, 1000)).toEqual(before);
      // a resident whose key is on disk is refused too: no key is trusted to reach the disk any more
      expect503UntilRestart(await api(app).post('/v1/complaints').send(complaintBody()));
      const ready = await api(app).get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { eventStore: 'up', dataKeys: 'failed' } });
      expect(await store.readAll(-1, 1000)).toEqual(before);
    } finally {
      await app.close();
    }
  });
});
