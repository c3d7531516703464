import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '@complaint-ledger/ledger';
import { complaintEventOf, foldEvents, personalDataIn, statusOf, type ComplaintEvent, type ComplaintState } from '@complaint-ledger/domain';
import {
  DEFAULT_TOPICS,
  EventRelay,
  InProcessPublisher,
  messagesOf,
  type ComplaintIntegrationEvent,
  type TsmSnapshot,
} from '@complaint-ledger/messaging';
import { Ch02Dashboard } from '../../apps/ch02-dashboard/src/dashboard';
import { testReadSide } from '../../libs/projections/test/support/ledger';
import { LEDGER } from '../../apps/ledger-api/src/infrastructure/tokens';
import { api, complaintBody, KEYS, startApp } from '../../apps/ledger-api/test/support';

/**
 * What an analytics engineer relies on from the Kafka side (docs/integration.md, "Kafka and the
 * whole system"), checked against the ledger's own answers over HTTP.
 */
let app: NestFastifyApplication;
let ledger: Ledger;
const now = '2026-11-23T12:00:00.000Z';
const http = () => api(app);
beforeAll(async () => {
  app = await startApp({ LEDGER_HOMES: '2024:LCRA=1000,2024:LCHO=500' }, () => now);
  ledger = app.get(LEDGER);
});
afterAll(async () => app.close());

const receive = async (extra: object = {}, headers: Record<string, string> = {}) =>
  (await http().post('/v1/complaints').set(headers).send(complaintBody(extra)).expect(201)).body.id as string;
const acknowledge = (id: string, acknowledgedAt: string) =>
  http().post(`/v1/complaints/${id}/acknowledgements`).send({ stage: 1, acknowledgedAt, complaintDefinition: 'The leak' }).expect(200);
const respond = (id: string, respondedAt: string) =>
  http()
    .post(`/v1/complaints/${id}/responses`)
    .send({ stage: 1, respondedAt, decision: 'not_upheld', reasons: 'Repaired', outstandingActions: [], escalationRightsGiven: true })
    .expect(200);
const published = async (complaintId: string) =>
  (await ledger.store.readAll(-1, 10_000))
    .filter((event) => (event.data as { complaintId?: string }).complaintId === complaintId)
    .flatMap((event) => messagesOf(event, DEFAULT_TOPICS));

describe('personal data on the events topic', () => {
  it('a correlation id that is a telephone number is not published in clear (value or headers)', async () => {
    // X-Correlation-Id is accepted when it matches ^[\w.:-]{1,100}$: a UK mobile number does
    const id = await receive({ resident: { reference: 'RES-CORR-1' } }, { 'X-Correlation-Id': '07700900123' });
    const messages = (await published(id)).filter((m) => m.topic === DEFAULT_TOPICS.events);
    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0]!.value) as ComplaintIntegrationEvent;
    // the ledger refuses a telephone number in every other clear field it publishes (422 PERSONAL_DATA.IN_CLEAR)
    const clear = [body.correlationId, body.actor, body.causationId ?? '', ...Object.values(messages[0]!.headers)];
    expect(clear.filter((value) => personalDataIn(value) !== null)).toEqual([]);
  });
});

describe('a consumer rebuilding a complaint from its messages (docs/integration.md: apply FactCorrected as the ledger does)', () => {
  it('folds to the ledger’s own state, personal data apart', async () => {
    const id = await receive({ receivedAt: '2024-05-01T10:00:00+01:00', resident: { reference: 'RES-FOLD-1' } });
    await acknowledge(id, '2024-05-03T10:00:00+01:00');
    await http()
      .post(`/v1/complaints/${id}/extensions`)
      .send({
        stage: 1,
        notifiedAt: '2024-05-10T10:00:00+01:00',
        newDeadline: '2024-06-20',
        reason: 'Contractor report',
        ombudsmanDetailsGiven: true,
      })
      .expect(200);
    await respond(id, '2024-06-10T10:00:00+01:00');
    await http()
      .post(`/v1/complaints/${id}/corrections`)
      .send({
        revision: 0,
        reason: 'Wrong tenure keyed',
        replacement: complaintBody({ receivedAt: '2024-05-02T10:00:00+01:00', tenure: 'LCHO', resident: { reference: 'RES-FOLD-1' } }),
      })
      .expect(200);
    await http().post(`/v1/complaints/${id}/corrections`).send({ revision: 2, reason: 'Not sent', void: true }).expect(200);
    await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-FOLD-1' }).expect(200);

    const events = (await published(id))
      .filter((m) => m.topic === DEFAULT_TOPICS.events)
      .map((m) => JSON.parse(m.value) as ComplaintIntegrationEvent);
    const rebuilt = foldEvents(
      events.map((e) => complaintEventOf({ type: e.eventType, data: e.data }) as ComplaintEvent),
    ) as ComplaintState;
    const own = foldEvents((await ledger.store.readStream(`complaint-${id}`)).map((e) => complaintEventOf(e))) as ComplaintState;
    const analytics = (state: ComplaintState) => ({
      status: statusOf(state),
      receivedAt: state.receivedAt,
      tenure: state.tenure,
      stage1: {
        acknowledgedAt: state.stage1.acknowledgement?.at,
        respondedAt: state.stage1.response?.at,
        decision: state.stage1.response?.decision,
        extensions: state.stage1.extensions.map((x) => [x.newDeadline, x.reason]),
      },
      stage2: state.stage2?.requestedAt,
      remedies: state.remedies.map((r) => [r.remedyId, r.type, r.amountPence, r.dueBy]),
      corrections: state.corrections,
      personalDataErasedAt: state.personalDataErasedAt,
      eventCount: state.eventCount,
    });
    expect(analytics(rebuilt)).toEqual(analytics(own));
  });
});

describe('the CH02 dashboard equals GET /v1/statistics/tsm', () => {
  const tsmTopic = DEFAULT_TOPICS.tsm;
  const figuresOf = async (year: number) => {
    const body = (await api(app, KEYS.analyst).get('/v1/statistics/tsm').query({ year }).expect(200)).body;
    return { ALL: body.ch02, LCRA: body.byTenure.LCRA.ch02, LCHO: body.byTenure.LCHO.ch02 };
  };
  const shown = (dashboard: Ch02Dashboard, year: number) =>
    Object.fromEntries(
      (['ALL', 'LCRA', 'LCHO'] as const).map((tenure) => {
        const f = dashboard.figure(`${year}:${tenure}`);
        return [tenure, f && { stage1: f.stage1, stage2: f.stage2 }];
      }),
    );

  it('after a relay failover to a worker whose read model was a moment behind, and a correction that undid a response', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atk-failover-'));
    const publisher = new InProcessPublisher();
    // the duties' shared relay position (libs/ledger/src/duties), as both workers see it
    const shared = new Map<string, number>(); // by destination, as the lease's store keeps them
    const checkpoint = {
      load: async (destination: string) => shared.get(destination) ?? null,
      save: async (destination: string, position: number) =>
        void shared.set(destination, Math.max(position, shared.get(destination) ?? -1)),
    };
    let holder: 'A' | 'B' = 'A';
    const worker = (name: 'A' | 'B') => {
      const readSide = testReadSide(ledger.store, join(dir, `${name}.sqlite`));
      const relay = new EventRelay({
        store: ledger.store,
        db: readSide.db,
        publisher,
        topics: DEFAULT_TOPICS,
        homes: { 2024: { LCRA: 1000, LCHO: 500 } },
        clock: () => now,
        projectionsPosition: () => readSide.runner.position,
        checkpoint,
        mayPublish: () => holder === name,
        idleMs: 5,
        figuresIntervalMs: 0,
      });
      return { readSide, relay };
    };
    const a = worker('A');
    const b = worker('B');
    const round = async (w: { relay: EventRelay }) => {
      // one round of the running relay: resume from the shared position, publish events and figures
      w.relay.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await w.relay.stop();
    };
    const dashboard = new Ch02Dashboard();
    const feed = () => publisher.messages(tsmTopic).forEach((m) => dashboard.apply(JSON.parse(m.value) as TsmSnapshot));

    const first = await receive({ receivedAt: '2024-05-01T10:00:00+01:00', resident: { reference: 'RES-FO-1' } });
    await acknowledge(first, '2024-05-03T10:00:00+01:00');
    await respond(first, '2024-05-10T10:00:00+01:00');
    const second = await receive({ receivedAt: '2024-06-03T10:00:00+01:00', resident: { reference: 'RES-FO-2' } });
    await acknowledge(second, '2024-06-04T10:00:00+01:00');
    await a.readSide.runner.catchUp();
    await b.readSide.runner.catchUp(); // B's read model is here, and stays here for a moment
    await round(a);

    await respond(second, '2024-06-10T10:00:00+01:00');
    await a.readSide.runner.catchUp();
    await round(a); // 2024:ALL stage 1: 2 responded
    feed();

    holder = 'B'; // failover: B's read model has not yet read the second complaint
    await round(b);
    // the response was keyed against the wrong complaint: voided
    await http().post(`/v1/complaints/${second}/corrections`).send({ revision: 2, reason: 'Wrong complaint', void: true }).expect(200);
    await ledger.readSide.runner.catchUp();
    await b.readSide.runner.catchUp();
    await round(b);
    feed();
    expect(shown(dashboard, 2024)).toEqual(await figuresOf(2024));
    await a.readSide.stop();
    await b.readSide.stop();
  });
});
