import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStoreDbEventStore, type EventStore, type NewEvent } from '@complaint-ledger/event-store';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { api, complaintBody, KEYS, NOW, onEventStoreDbWithEventKey, startAppWith } from './support';

/**
 * While a replica verifies the log at start (on EventStoreDB one without the signing key verifies
 * all of it, minutes on a large log), where the log's MACs begin is not known yet. A complaint
 * forged whole on the server without the event key carries no MAC, as a stream written before MACs
 * does: it is neither shown nor decided on until the pass has judged it (decision 0023). The real
 * client against the stand-in; the pass held, as a large log would hold it.
 */
jest.setTimeout(120_000);

let server: EventStoreDbStandIn;
afterEach(async () => server?.stop());

it('a complaint forged without a MAC during the start-up pass is answered 503 (still verifying), nothing is appended to it, and the pass then names it', async () => {
  server = await EventStoreDbStandIn.start();
  server.clock = () => Date.parse(NOW);
  const { config, signedStore } = onEventStoreDbWithEventKey(server.connectionString);
  const first = await startAppWith(config, { store: signedStore() });
  const genuineId = (await api(first).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
  await first.close();

  // the next replica's start-up pass over the log waits until released
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const real = signedStore();
  const store = new Proxy(real, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name !== 'readAll') return typeof value === 'function' ? value.bind(target) : value;
      return async (after: number, limit: number) => {
        if (/verifyAtStart/.test(new Error().stack ?? '')) await held;
        return target.readAll(after, limit);
      };
    },
  }) as EventStore;
  const app: NestFastifyApplication = await startAppWith(config, { store });
  const intruder = EventStoreDbEventStore.connect(server.connectionString, { clock: () => NOW }); // no event key
  try {
    expect((await request(app.getHttpServer()).get('/health/ready')).body.checks.integrity.status).toBe('verifying');
    const [received] = await intruder.readStream(`complaint-${genuineId}`);
    const forgedId = randomUUID();
    const forged: NewEvent = {
      eventId: randomUUID(),
      type: received!.type,
      data: { ...(received!.data as object), complaintId: forgedId },
      metadata: { occurredAt: received!.metadata.occurredAt, actor: 'api-key:case-system', correlationId: randomUUID(), schemaVersion: 1 },
    };
    await intruder.append(`complaint-${forgedId}`, [forged], 'no_stream');

    const shown = await api(app, KEYS.auditor).get(`/v1/complaints/${forgedId}/history`);
    const decided = await api(app)
      .post(`/v1/complaints/${forgedId}/acknowledgements`)
      .send({ stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'Leak' });

    for (const answer of [shown, decided]) {
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.body).toMatchObject({ code: 'LEDGER.VERIFYING' });
    }
    expect((await real.readStream(`complaint-${forgedId}`)).map((event) => event.type)).toEqual(['ComplaintReceived']);
    // the ledger's own complaints, under its MAC, are answered meanwhile
    await api(app, KEYS.auditor).get(`/v1/complaints/${genuineId}/history`).expect(200);
    // an erasure, which destroys keys before it records itself in each complaint, waits for the pass: nothing half done
    const erasure = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-1001' });
    expect(erasure.status).toBe(503);
    expect(erasure.body).toMatchObject({ code: 'LEDGER.VERIFYING', detail: expect.stringMatching(/an erasure waits/) });
    expect((await api(app, KEYS.auditor).get(`/v1/complaints/${genuineId}/history`).expect(200)).body.events[0].data.resident.name).toBe(
      'Sam Resident',
    );

    release();
    let integrity: { status: string; break?: string } = { status: 'verifying' };
    for (let i = 0; i < 600 && integrity.status === 'verifying'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      integrity = (await request(app.getHttpServer()).get('/health/ready')).body.checks.integrity;
    }
    expect(integrity).toMatchObject({ status: 'broken', break: expect.stringContaining('event-unauthenticated') });
  } finally {
    release();
    await app.close();
    await intruder.close();
    await real.close();
  }
});
