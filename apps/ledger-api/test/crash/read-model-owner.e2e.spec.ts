import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, freePort, killAll, runTool, startApi, stop } from '../../../../test/support/processes';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { expectReadModelsAsRebuilt } from './load';
import { scaled } from '../../../../test/support/timeouts';

/**
 * Two processes on one data folder. The second one that would keep the same read-model file is
 * refused at start-up, naming the first; given a file of its own, both take commands, one
 * restarts, and every count each of them gives still equals the log.
 */
jest.setTimeout(scaled(180_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const folder = mkdtempSync(join(tmpdir(), 'ledger-two-processes-'));
const env = {
  LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
  LEDGER_API_KEYS: TEST_API_KEYS,
  LEDGER_MASTER_KEY: TEST_MASTER_KEY,
  LEDGER_BREACH_SWEEP_SECONDS: '0',
  LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
};

const post = (base: string, n: number) =>
  fetch(`${base}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.case_handler },
    body: JSON.stringify(complaintBody({ resident: { reference: `RES-${base}-${n}`, name: 'Sam Resident' } })),
  });

/** How many complaints the process's list shows, once its read side has caught up with the log. */
async function listed(base: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${base}/v1/complaints?limit=200`, { headers: { 'x-api-key': KEYS.all } });
    const page = (await response.json()) as { items: unknown[] };
    if (page.items.length >= 30 || attempt > 100) return page.items.length;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a second process on the same read models is refused, naming the first; on files of their own two processes and a restart count right', async () => {
  let a = await startApi(env);
  for (let n = 0; n < 10; n++) expect((await post(a.base, n)).status).toBe(201);

  const refused = await runTool('apps/ledger-api/src/main.js', [], { ...env, PORT: String(freePort()) }, scaled(30_000));
  expect(refused.status).not.toBe(0);
  expect(refused.stdout + refused.stderr).toContain(`pid ${a.child.pid}`);

  const b = await startApi({ ...env, LEDGER_PROJECTIONS_PATH: join(folder, 'projections-b.sqlite') });
  for (let n = 10; n < 20; n++) expect((await post(b.base, n)).status).toBe(201);
  await stop(a.child);
  a = await startApi(env, Number(new URL(a.base).port));
  for (let n = 20; n < 30; n++) expect((await post(a.base, n)).status).toBe(201);

  expect(await listed(a.base)).toBe(30);
  expect(await listed(b.base)).toBe(30);
  for (const base of [a.base, b.base]) expect(await receivedIn2024(base)).toBe(30);
  await stop(b.child);
  await stop(a.child);
  const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
  for (const file of ['projections.sqlite', 'projections-b.sqlite']) await expectReadModelsAsRebuilt(store, join(folder, file));
  await store.close();
});

/** TSM CH01's stage 1 count for 2024/25: every complaint here was received on 1 May 2024. */
const receivedIn2024 = async (base: string): Promise<number> => {
  const response = await fetch(`${base}/v1/statistics/tsm?year=2024`, { headers: { 'x-api-key': KEYS.all } });
  return ((await response.json()) as { ch01: { stage1Complaints: number } }).ch01.stage1Complaints;
};
