import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApp } from './support';

let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(async () => app.close());

describe('the served OpenAPI document', () => {
  it('refers only to schemas it defines (nested bodies such as a complaint’s resident included)', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]*)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((name) => !document.components.schemas[name])).toEqual([]);
    expect(document.components.schemas.ReceiveComplaintRequest.properties.resident).toEqual({ $ref: '#/components/schemas/ResidentDto' });
  });

  it('declares how to authenticate (an API key header, or a bearer token), for every operation', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    expect(Object.keys(document.components.securitySchemes)).toEqual(['api-key', 'bearer']);
    expect(document.security).toEqual([{ 'api-key': [] }, { bearer: [] }]);
  });
});
