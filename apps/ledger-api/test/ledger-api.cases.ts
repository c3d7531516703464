import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { api, complaintBody, KEYS, NOW, startApp, startAppWith, testConfig } from './support';

/**
 * The service's end-to-end cases over real HTTP, run once per way the log can commit
 * (ledger-api.e2e.spec.ts, ledger-api-writer-thread.e2e.spec.ts); `env` is added to the configuration.
 */
export function ledgerApiCases(env: Record<string, string>): void {
  let app: NestFastifyApplication;
  const http = () => api(app);
  beforeAll(async () => {
    app = await startApp(env);
  });
  afterAll(async () => app.close());

  const receive = async (extra: object = {}) => {
    const response = await http().post('/v1/complaints').send(complaintBody(extra)).expect(201);
    return response.body.id as string;
  };
  const history = async (id: string) => (await http().get(`/v1/complaints/${id}/history`)).body.events as unknown[];
  const expectProblem = (response: request.Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|node_modules/);
  };

  describe('the walk-through: receive → acknowledge → respond → escalate → acknowledge stage 2 → respond', () => {
    it('records each step, and the complaint shows its deadlines and findings', async () => {
      const created = await http().post('/v1/complaints').send(complaintBody()).expect(201);
      const id = created.body.id;
      expect(created.body).toEqual({ id, revision: 0, position: expect.any(Number) });
      expect(created.headers.location).toBe(`/v1/complaints/${id}`);
      expect(created.headers.etag).toBe('"0"');

      const steps: [string, object][] = [
        [
          'acknowledgements',
          {
            stage: 1,
            acknowledgedAt: '2024-05-13T10:00:00+01:00',
            complaintDefinition: 'Leak unrepaired; wants repair and compensation',
            handler: 'H1',
          },
        ],
        [
          'responses',
          {
            stage: 1,
            respondedAt: '2024-05-24T15:00:00+01:00',
            decision: 'partly_upheld',
            reasons: 'Repair was late',
            remedies: [{ type: 'financial', description: 'Compensation', amountPence: 10000, dueBy: '2024-06-07' }],
            outstandingActions: [],
            escalationRightsGiven: true,
            handler: 'H1',
          },
        ],
        ['escalations', { requestedAt: '2024-05-28T09:00:00+01:00' }],
        [
          'acknowledgements',
          { stage: 2, acknowledgedAt: '2024-05-30T09:00:00+01:00', complaintDefinition: 'Compensation too low', handler: 'H1' },
        ],
        [
          'responses',
          {
            stage: 2,
            respondedAt: '2024-06-20T09:00:00+01:00',
            decision: 'not_upheld',
            reasons: 'Compensation in line with policy',
            outstandingActions: [],
            escalationRightsGiven: true,
            handler: 'H2',
          },
        ],
      ];
      let revision = 0;
      for (const [path, body] of steps) {
        const response = await http().post(`/v1/complaints/${id}/${path}`).send(body).expect(200);
        expect(response.body.revision).toBeGreaterThan(revision);
        expect(response.headers.etag).toBe(`"${response.body.revision}"`);
        revision = response.body.revision;
      }

      const complaint = await http().get(`/v1/complaints/${id}`).expect(200);
      expect(complaint.headers.etag).toBe(`"${revision}"`);
      expect(complaint.body).toMatchObject({
        id,
        status: 'closed',
        stage: 2,
        codeVersion: '2024',
        tenure: 'LCRA',
        residentReference: 'RES-1001',
      });
      // Received Wed 1 May 2024: acknowledgement due Thu 9 May (6.2); acknowledged Mon 13 May, 2 WD late.
      expect(
        complaint.body.deadlines.map((d: { kind: string; status: string; workingDaysLate: number; provision: string }) => [
          d.kind,
          d.status,
          d.workingDaysLate,
          d.provision,
        ]),
      ).toEqual([
        ['acknowledgement', 'met_late', 2, '6.2'],
        ['stage1Response', 'met', 0, '6.3'],
        ['stage2Acknowledgement', 'met', 0, '6.11'],
        ['stage2Response', 'met', 0, '6.14'],
        ['remedy', 'breached', expect.any(Number), '7.3'],
      ]);
      expect(complaint.body.findings.map((f: { provision: string; rule: string }) => `${f.provision} ${f.rule}`)).toEqual([
        '6.2 acknowledgement-late',
        '6.13 same-handler-both-stages',
        '7.3 remedy-overdue',
      ]);

      const events = (await http().get(`/v1/complaints/${id}/history`).expect(200)).body.events;
      expect(events.map((e: { type: string }) => e.type)).toEqual([
        'ComplaintReceived',
        'Acknowledged',
        'Responded',
        'RemedyOffered',
        'Escalated',
        'Acknowledged',
        'Responded',
      ]);
      expect(events[0]).toMatchObject({
        revision: 0,
        occurredAt: '2024-05-01T09:00:00.000Z',
        recordedAt: NOW,
        actor: 'api-key:test-suite', // the authenticated principal, never the body
        prevHash: '0'.repeat(64),
      });
      expect(events[1].prevHash).toBe(events[0].hash);

      expect((await http().get(`/v1/complaints/${id}/integrity`).expect(200)).body).toEqual({
        valid: true,
        events: 7,
        headHash: events[6].hash,
        firstInvalidRevision: null,
      });
    });

    it('shows the complaint as the ledger knew it at asOf', async () => {
      const id = await receive();
      const earlier = await http().get(`/v1/complaints/${id}?asOf=2020-01-01T00:00:00Z`);
      expectProblem(earlier, 404);
      const atRecording = await http().get(`/v1/complaints/${id}?asOf=${NOW}`).expect(200);
      expect(atRecording.body.asOf).toBe(NOW);
      expectProblem(await http().get(`/v1/complaints/${id}?asOf=yesterday`), 400);
    });
  });

  describe('every command endpoint records its event', () => {
    it.each<[string, (id: string) => string, object, string]>([
      [
        'extensions',
        (id) => `/v1/complaints/${id}/extensions`,
        { stage: 1, notifiedAt: '2024-05-03T10:00:00+01:00', newDeadline: '2024-05-30', reason: 'Survey', ombudsmanDetailsGiven: true },
        'Extended',
      ],
      [
        'remedies',
        (id) => `/v1/complaints/${id}/remedies`,
        { offeredAt: '2024-05-03T10:00:00+01:00', type: 'apology', description: 'Apology letter' },
        'RemedyOffered',
      ],
      [
        'non-acceptance',
        (id) => `/v1/complaints/${id}/non-acceptance`,
        { decidedAt: '2024-05-03T10:00:00+01:00', ground: 'legal_proceedings', explanation: 'In court', ombudsmanRightExplained: true },
        'ComplaintNotAccepted',
      ],
      [
        'correspondence',
        (id) => `/v1/complaints/${id}/correspondence`,
        { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'outbound', party: 'resident', channel: 'letter', summary: 'Update sent' },
        'CorrespondenceRecorded',
      ],
      [
        'reasonable-adjustments',
        (id) => `/v1/complaints/${id}/reasonable-adjustments`,
        { recordedAt: '2024-05-03T10:00:00+01:00', adjustment: 'Large print', reviewBy: '2024-11-01' },
        'ReasonableAdjustmentRecorded',
      ],
      [
        'representative',
        (id) => `/v1/complaints/${id}/representative`,
        { consentReceivedAt: '2024-05-03T10:00:00+01:00', name: 'A. Advocate' },
        'RepresentativeAuthorised',
      ],
      [
        'handlers',
        (id) => `/v1/complaints/${id}/handlers`,
        { stage: 1, assignedAt: '2024-05-03T10:00:00+01:00', handler: 'H7' },
        'HandlerAssigned',
      ],
      [
        'withdrawal',
        (id) => `/v1/complaints/${id}/withdrawal`,
        { withdrawnAt: '2024-05-03T10:00:00+01:00', reason: 'Resolved' },
        'ComplaintWithdrawn',
      ],
    ])('POST %s', async (_name, path, body, type) => {
      const id = await receive();
      const response = await http().post(path(id)).send(body).expect(200);
      expect(response.body).toEqual({ id, revision: 1, position: expect.any(Number) });
      expect(((await history(id)) as { type: string }[]).map((e) => e.type)).toEqual(['ComplaintReceived', type]);
    });

    it('POST remedies/{remedyId}/completion and escalation-refusals', async () => {
      const id = await receive();
      await http()
        .post(`/v1/complaints/${id}/responses`)
        .send({
          stage: 1,
          respondedAt: '2024-05-07T10:00:00+01:00',
          decision: 'upheld',
          reasons: 'Late',
          remedies: [{ type: 'action', description: 'Fix' }],
          outstandingActions: [],
          escalationRightsGiven: true,
        })
        .expect(200);
      const remedyId = ((await history(id)) as { type: string; data: { remedyId: string } }[]).find((e) => e.type === 'RemedyOffered')!.data
        .remedyId;
      await http()
        .post(`/v1/complaints/${id}/remedies/${remedyId}/completion`)
        .send({ completedAt: '2024-05-10T10:00:00+01:00' })
        .expect(200);
      await http()
        .post(`/v1/complaints/${id}/escalation-refusals`)
        .send({ decidedAt: '2024-05-11T10:00:00+01:00', ground: 'other', explanation: 'Resolved', ombudsmanRightExplained: true })
        .expect(200);
      expect(((await history(id)) as { type: string }[]).map((e) => e.type)).toEqual([
        'ComplaintReceived',
        'Responded',
        'RemedyOffered',
        'RemedyCompleted',
        'EscalationRefused',
      ]);
    });
  });

  describe('bad input gets a clear problem+json and changes nothing', () => {
    it('400 names each field and rule that failed validation', async () => {
      const response = await http()
        .post('/v1/complaints')
        .send(complaintBody({ channel: 'fax', receivedAt: 'soon', resident: {} }));
      expectProblem(response, 400);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'channel', rule: 'isIn', message: expect.stringContaining('channel') },
          { field: 'receivedAt', rule: 'isIso8601', message: expect.any(String) },
          { field: 'resident.reference', rule: 'residentReference', message: expect.any(String) },
        ]),
      );
    });

    it('400 for unknown fields, including an attempt to set the actor', async () => {
      const response = await http()
        .post('/v1/complaints')
        .send(complaintBody({ actor: 'someone-else' }));
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'actor', rule: 'whitelistValidation' })]);
    });

    it('400 for malformed JSON', async () => {
      expectProblem(await http().post('/v1/complaints').set('content-type', 'application/json').send('{"receivedAt":'), 400);
    });

    it('400 for a complaint id that is not a UUID', async () => {
      const response = await http().post('/v1/complaints/not-a-uuid/withdrawal').send({ withdrawnAt: '2024-05-03' });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    });

    it('404 for a command on a complaint never received, and nothing is created', async () => {
      const id = randomUUID();
      const response = await http()
        .post(`/v1/complaints/${id}/acknowledgements`)
        .send({ stage: 1, acknowledgedAt: '2024-05-02', complaintDefinition: 'x' });
      expectProblem(response, 404);
      expect(response.body.code).toBe('COMPLAINT.NOT_FOUND');
      expectProblem(await http().get(`/v1/complaints/${id}/history`), 404);
    });

    it('409 for what the state forbids, citing the provision', async () => {
      const id = await receive();
      const response = await http().post(`/v1/complaints/${id}/escalations`).send({ requestedAt: '2024-05-03T10:00:00+01:00' });
      expectProblem(response, 409);
      expect(response.body).toMatchObject({ code: 'ESCALATION.STAGE1_NOT_RESPONDED', provision: '6.10', codeVersion: '2024' });
      expect(await history(id)).toHaveLength(1);
    });

    it("409 citing the provision in the complaint's own Code: a 2022-Code complaint is told 5.11, not 6.10 (decision 0019)", async () => {
      const id = await receive({ receivedAt: '2023-05-03T10:00:00+01:00' });
      const response = await http().post(`/v1/complaints/${id}/escalations`).send({ requestedAt: '2023-05-04T10:00:00+01:00' });
      expectProblem(response, 409);
      expect(response.body).toMatchObject({ code: 'ESCALATION.STAGE1_NOT_RESPONDED', provision: '5.11', codeVersion: '2022' });
    });

    it('422 for an impossible instant, naming the field', async () => {
      const id = await receive();
      const response = await http()
        .post(`/v1/complaints/${id}/acknowledgements`)
        .send({ stage: 1, acknowledgedAt: '2024-04-30T10:00:00+01:00', complaintDefinition: 'x' });
      expectProblem(response, 422);
      expect(response.body.errors).toEqual([{ field: 'acknowledgedAt', rule: 'INSTANT.BEFORE_RECEIPT', message: expect.any(String) }]);
      const future = await http()
        .post('/v1/complaints')
        .send(complaintBody({ receivedAt: '2027-01-01T00:00:00Z' }));
      expectProblem(future, 422);
      expect(future.body.code).toBe('INSTANT.IN_FUTURE');
      expect(await history(id)).toHaveLength(1);
    });
  });

  describe('concurrency and retries', () => {
    it('If-Match with a stale revision is 412 and writes nothing; the current one succeeds', async () => {
      const id = await receive();
      const body = {
        occurredAt: '2024-05-03T10:00:00+01:00',
        direction: 'inbound',
        party: 'resident',
        channel: 'phone',
        summary: 'Called',
      };
      await http().post(`/v1/complaints/${id}/correspondence`).set('If-Match', '"0"').send(body).expect(200);
      // another call (the same request again would be taken as a retry, and answered as the first)
      const stale = await http()
        .post(`/v1/complaints/${id}/correspondence`)
        .set('If-Match', '"0"')
        .send({ ...body, summary: 'Called again' });
      expectProblem(stale, 412);
      expect(await history(id)).toHaveLength(2);
      expectProblem(await http().post(`/v1/complaints/${id}/correspondence`).set('If-Match', 'banana').send(body), 400);
    });

    it('If-Match: * asks only that the complaint exist (RFC 9110): recorded on it as it is; a complaint that does not exist is 404', async () => {
      const id = await receive();
      const body = { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Any' };
      await http().post(`/v1/complaints/${id}/correspondence`).send(body).expect(200); // the complaint moved on to revision 1
      const anyRevision = await http()
        .post(`/v1/complaints/${id}/correspondence`)
        .set('If-Match', '*')
        .send({ ...body, summary: 'Whatever its revision' });
      expect([anyRevision.status, anyRevision.body, anyRevision.headers.etag]).toEqual([
        200,
        { id, revision: 2, position: expect.any(Number) },
        '"2"',
      ]);
      expect(await history(id)).toHaveLength(3);
      expectProblem(await http().post(`/v1/complaints/${randomUUID()}/correspondence`).set('If-Match', '*').send(body), 404);
    });

    it("a key is its credential's own: another credential's same key is 422, never that request's answer; the ledger's own key form is 400", async () => {
      const key = randomUUID();
      const complaint = complaintBody();
      const first = await http().post('/v1/complaints').set('Idempotency-Key', key).send(complaint).expect(201);
      const other = await api(app, KEYS.case_handler).post('/v1/complaints').set('Idempotency-Key', key).send(complaint);
      expectProblem(other, 422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
      expect(await history(first.body.id)).toHaveLength(1);
      // a client may not write under the keys the ledger derives for requests sent without one
      const posing = await http()
        .post('/v1/complaints')
        .set('Idempotency-Key', `derived:${'0'.repeat(64)}`)
        .send(complaintBody());
      expectProblem(posing, 400);
      expect(posing.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    });

    it('an idempotent retry returns the same body and records one event; the same key with another body is 422', async () => {
      const key = randomUUID();
      const complaint = complaintBody();
      const first = await http().post('/v1/complaints').set('Idempotency-Key', key).send(complaint).expect(201);
      const retry = await http().post('/v1/complaints').set('Idempotency-Key', key).send(complaint).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await history(first.body.id)).toHaveLength(1);
      const other = await http()
        .post('/v1/complaints')
        .set('Idempotency-Key', key)
        .send(complaintBody({ category: 'noise' }));
      expectProblem(other, 422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');

      const ack = { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' };
      const ackKey = randomUUID();
      const [a, b] = await Promise.all([
        http().post(`/v1/complaints/${first.body.id}/acknowledgements`).set('Idempotency-Key', ackKey).send(ack),
        http().post(`/v1/complaints/${first.body.id}/acknowledgements`).set('Idempotency-Key', ackKey).send(ack),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body).toEqual(b.body);
      expect(await history(first.body.id)).toHaveLength(2);
    });

    it('one Idempotency-Key sent at once with 50 different bodies records one of them; every other body is 422, never "replayed"', async () => {
      const id = await receive();
      const key = randomUUID();
      const body = (n: number) => ({
        occurredAt: '2024-05-03T10:00:00+01:00',
        direction: 'outbound',
        party: 'resident',
        channel: 'email',
        summary: `Letter ${n}`,
      });
      const sent = Array.from({ length: 500 }, (_, i) => i % 50);
      const responses = await Promise.all(
        sent.map((n) => http().post(`/v1/complaints/${id}/correspondence`).set('Idempotency-Key', key).send(body(n))),
      );
      const accepted = sent.filter((_, i) => responses[i]!.status === 200);
      expect(new Set(accepted).size).toBe(1); // one body recorded, each of its ten sends answered 200
      expect(accepted).toHaveLength(10);
      for (const [i, response] of responses.entries()) if (sent[i] !== accepted[0]) expectProblem(response, 422);
      const events = (await history(id)) as { type: string; data: { summary?: string } }[];
      expect(events.filter((e) => e.type === 'CorrespondenceRecorded')).toHaveLength(1);
    });

    it('a complaint id is the same complaint in upper or lower case', async () => {
      const chosen = randomUUID().toUpperCase();
      const created = await http()
        .post('/v1/complaints')
        .send(complaintBody({ complaintId: chosen }))
        .expect(201);
      expect(created.body.id).toBe(chosen.toLowerCase());
      expect((await http().get(`/v1/complaints/${chosen}`).expect(200)).body.id).toBe(chosen.toLowerCase());
      await http()
        .post(`/v1/complaints/${chosen}/correspondence`)
        .send({ occurredAt: '2024-05-03T10:00:00+01:00', direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Called' })
        .expect(200);
      expect(await history(chosen.toLowerCase())).toHaveLength(2);
      const again = await http()
        .post('/v1/complaints')
        .send(complaintBody({ complaintId: chosen.toLowerCase() }));
      expect(again.status).toBe(409); // the lower-case form names the complaint already received
    });

    it('of concurrent conflicting commands exactly one wins', async () => {
      const id = await receive();
      const responses = await Promise.all(
        ['2024-05-02T10:00:00+01:00', '2024-05-03T10:00:00+01:00', '2024-05-04T10:00:00+01:00'].map((at) =>
          http().post(`/v1/complaints/${id}/acknowledgements`).send({ stage: 1, acknowledgedAt: at, complaintDefinition: 'Leak' }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'STAGE.ALREADY_ACKNOWLEDGED')).toBe(true);
      expect(await history(id)).toHaveLength(2);
    });

    it('concurrent compatible commands without If-Match are re-decided and all recorded', async () => {
      const id = await receive();
      const body = (n: number) => ({
        occurredAt: '2024-05-03T10:00:00+01:00',
        direction: 'inbound',
        party: 'resident',
        channel: 'phone',
        summary: `Call ${n}`,
      });
      const responses = await Promise.all([1, 2, 3, 4].map((n) => http().post(`/v1/complaints/${id}/correspondence`).send(body(n))));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(await history(id)).toHaveLength(5);
    });
  });

  describe('operations', () => {
    it('serves health, metrics and the OpenAPI document', async () => {
      expect((await http().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
      expect((await http().get('/health/ready').expect(200)).body).toMatchObject({ status: 'ok' });
      const metrics = await http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/ledger_commands_total\{command="ReceiveComplaint",outcome="recorded"\} \d+/);
      const docs = await http().get('/docs-json').expect(200);
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining(['/v1/complaints', '/v1/complaints/{id}/acknowledgements', '/v1/complaints/{id}/history']),
      );
      await http().get('/docs').expect(200);
    });
  });

  describe('durability', () => {
    it('a restart on the same SQLite file loses nothing and serves the same answers', async () => {
      const config = testConfig(env);
      const start = () => startAppWith(config);
      const first = await start();
      const id = (await api(first).post('/v1/complaints').send(complaintBody()).expect(201)).body.id;
      await api(first)
        .post(`/v1/complaints/${id}/acknowledgements`)
        .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' })
        .expect(200);
      const before = (await api(first).get(`/v1/complaints/${id}`)).body;
      await first.close();
      const second = await start();
      const after = (await api(second).get(`/v1/complaints/${id}`)).body;
      expect(after).toEqual(before);
      expect((await api(second).get(`/v1/complaints/${id}/integrity`)).body.valid).toBe(true);
      await second.close();
    });
  });
}
