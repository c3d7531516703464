import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, startApp } from './support';
import { scaled } from '../../../test/support/timeouts';

/**
 * A calendar with no end date (decision 0001): with the clock at the end of 2199, any date from
 * 1990 on can be recorded, swept, viewed, counted and reported on — and none gives a 5xx.
 */
const NOW = '2199-12-31T12:00:00.000Z';
let app: NestFastifyApplication;
let ledger: Ledger;
beforeAll(async () => {
  app = await startApp({}, () => NOW);
  ledger = app.get(LEDGER);
});
afterAll(async () => app.close());
jest.setTimeout(scaled(120_000));

const FIRST = Date.UTC(1990, 0, 1);
const LAST = Date.UTC(2199, 11, 31);
const instant = fc.integer({ min: FIRST, max: LAST }).map((ms) => new Date(ms).toISOString());
const date = instant.map((at) => at.slice(0, 10));
const year = fc.integer({ min: 1990, max: 2199 });

it('property: any date 1990–2199 in a command, a view, a sweep, statistics or a report answers without a 5xx', async () => {
  const statuses: number[] = [];
  const failures: string[] = [];
  const call = async (response: Promise<{ status: number }>, what: string) => {
    const { status } = await response;
    if (status >= 500) failures.push(`${what}: ${status}`);
    statuses.push(status);
  };
  await fc.assert(
    fc.asyncProperty(
      instant,
      fc.integer({ min: 0, max: 40 }),
      date,
      instant,
      year,
      async (receivedAt, days, deadline, asOf, reportYear) => {
        const http = api(app);
        const received = await http.post('/v1/complaints').send(complaintBody({ receivedAt }));
        await call(Promise.resolve(received), `receive ${receivedAt}`);
        const id = received.body.id as string | undefined;
        if (id) {
          const later = new Date(Math.min(Date.parse(receivedAt) + days * 86_400_000, LAST)).toISOString();
          await call(
            http.post(`/v1/complaints/${id}/acknowledgements`).send({ stage: 1, acknowledgedAt: later, complaintDefinition: 'x' }),
            `acknowledge ${later}`,
          );
          await call(
            http
              .post(`/v1/complaints/${id}/extensions`)
              .send({ stage: 1, notifiedAt: later, newDeadline: deadline, reason: 'survey', ombudsmanDetailsGiven: true }),
            `extend to ${deadline}`,
          );
          await call(http.get(`/v1/complaints/${id}?asOf=${asOf}`), `view ${receivedAt} ${asOf}`);
          await call(http.get(`/v1/complaints/${id}?knownAt=${asOf}`), `view ${receivedAt} knownAt ${asOf}`);
        }
        await call(http.get(`/v1/complaints?asOf=${asOf}&limit=5`), `list ${asOf}`);
        await call(http.get(`/v1/breaches?asOf=${asOf}`), `breaches ${asOf}`);
        await call(http.get(`/v1/statistics/tsm?year=${reportYear}`), `tsm ${reportYear}`);
        await call(http.get(`/v1/reports/annual?year=${reportYear}`), `report ${reportYear}`);
        return true;
      },
    ),
    { numRuns: 150 },
  );
  await ledger.readSide.runner.catchUp();
  await ledger.sweep();
  await call(api(app).get('/v1/breaches?includeRetracted=true&limit=500'), 'breaches after the sweep');
  expect(failures).toEqual([]);
  expect(statuses.filter((status) => status < 300).length).toBeGreaterThan(statuses.length / 2); // mostly answered, not just refused
});
