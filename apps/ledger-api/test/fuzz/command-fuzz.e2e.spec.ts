import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, complaintBody, startApp, tempSqlitePath } from '../support';
import { commandFuzzProperty } from './command-fuzz';
import { scaled } from '../../../../test/support/timeouts';

// A bounded run in npm test; `npm run fuzz` runs FUZZ_RUNS (default 20,000) cases.
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
jest.setTimeout(scaled(Math.max(60_000, RUNS * 100)));

let app: NestFastifyApplication;
const sqlitePath = tempSqlitePath();
beforeAll(async () => {
  app = await startApp({ LEDGER_SQLITE_PATH: sqlitePath, LEDGER_RATE_LIMIT_PER_MINUTE: '100000000' });
});
afterAll(async () => app.close());

it(`every command endpoint, ${RUNS} fuzzed requests: never a 5xx, always problem+json, a 4xx changes nothing`, async () => {
  const complaintId = (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
  await fc.assert(commandFuzzProperty({ app, sqlitePath, complaintId }), {
    numRuns: RUNS,
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
  });
});

it('regression found by the fuzzer: a complaint without its resident is a 400 naming the field, not a 500', async () => {
  const { resident: _resident, ...withoutResident } = complaintBody();
  const response = await api(app).post('/v1/complaints').send(withoutResident).expect(400);
  expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'resident' })]));
});
