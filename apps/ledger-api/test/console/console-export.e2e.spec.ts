import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { api, complaintBody, KEYS, startApp } from '../support';

/** The console's auditor export shows personal data in clear, as the API's does (it relied on a hook that revealed every answer, and came out as ciphertext when the hook was narrowed). */
describe("the console: an auditor's export", () => {
  let app: NestFastifyApplication;
  const secret = 'Philippa Consolesworth';
  let id: string;
  beforeAll(async () => {
    app = await startApp();
    const created = await api(app, KEYS.case_handler)
      .post('/v1/complaints')
      .send(complaintBody({ resident: { reference: 'RES-CONSOLE', name: secret } }))
      .expect(201);
    id = created.body.id;
  });
  afterAll(async () => app.close());

  it('the API export shows the name', async () => {
    const exported = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/export`).expect(200);
    expect(exported.text).toContain(secret);
  });

  it('the console export shows the name, not ciphertext', async () => {
    const agent = request.agent(app.getHttpServer());
    const signedIn = await agent.post('/console/sign-in').type('form').send({ credential: KEYS.auditor });
    expect([200, 302, 303]).toContain(signedIn.status);
    const exported = await agent.get(`/console/complaints/${id}/export`).expect(200);
    expect(exported.text).not.toMatch(/enc:v1:/);
    expect(exported.text).toContain(secret);
  });
});
