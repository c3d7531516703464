import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApp } from '../support';

/**
 * apps/ledger-api/openapi.json is the document the API serves at /docs-json, committed so that
 * `npm run lint` can lint it (Redocly, redocly.yaml) and integrators can read it without running
 * the service: a change to a route, a DTO or openapi.ts without `npm run contracts:generate`
 * fails here.
 */
const FILE = join(__dirname, '..', '..', 'openapi.json');

let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(async () => app.close());

it('is the document the API serves (npm run contracts:generate writes it)', async () => {
  const served = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as object;
  if (process.env.UPDATE_CONTRACTS) writeFileSync(FILE, `${JSON.stringify(served, null, 2)}\n`);
  expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(served);
});
