import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, complaintBody, startApp } from './support';

let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(async () => app.close());

it('given 50 correspondence notes sent at once to one complaint without If-Match, all are recorded (2xx), once each, and the chain holds', async () => {
  const id = (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api(app)
        .post(`/v1/complaints/${id}/correspondence`)
        .send({ occurredAt: '2024-05-02T10:00:00+01:00', direction: 'inbound', party: 'resident', channel: 'phone', summary: `Call ${i}` }),
    ),
  );
  expect(responses.map((r) => r.status).filter((status) => status !== 200)).toEqual([]);
  const history = (await api(app).get(`/v1/complaints/${id}/history`).expect(200)).body.events as {
    type: string;
    data: { summary?: string };
  }[];
  expect(history.filter((e) => e.type === 'CorrespondenceRecorded')).toHaveLength(50);
  expect(new Set(history.map((e) => e.data.summary)).size).toBe(51);
  expect((await api(app).get(`/v1/complaints/${id}/integrity`).expect(200)).body).toMatchObject({ valid: true, events: 51 });
});
