/**
 * npm run bench:console — the console's pages on a ledger of BENCH_COMPLAINTS complaints (default
 * 100,000: 800,000 events, two reporting years), generated through the store port (not timed):
 * each page fetched over HTTP by a signed-in auditor, BENCH_ROUNDS times (default 7), median and
 * slowest in ms. Pages read pages: none of these should grow with the size of the ledger but the
 * report, which reads its year, and the API's point-in-time queries, which read the log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { loadConfig } from '@complaint-ledger/ledger';
import type { Ledger } from '@complaint-ledger/ledger';
import { createApp } from '../apps/ledger-api/src/app.factory';
import { LEDGER } from '../apps/ledger-api/src/infrastructure/tokens';
import { generate, lifecycle } from './support/generated-log';

const complaints = Number(process.env.BENCH_COMPLAINTS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);

async function main(): Promise<void> {
  const path = join(mkdtempSync(join(tmpdir(), 'ledger-bench-console-')), 'ledger.sqlite');
  const ids: string[] = [];
  process.stdout.write(`generating ${complaints} complaints (${complaints * 8} events)… `);
  const writer = new SqliteEventStore(path);
  await generate(writer, complaints, (i) => lifecycle((ids[i] = randomUUID()), i));
  await writer.close();
  console.log('done');
  const key = randomBytes(24).toString('hex');
  const config = loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: path,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_API_KEYS: `bench:auditor+analyst:${key}`,
    LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
    LEDGER_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const starting = performance.now();
  const app = await createApp({ config, logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await app.get<Ledger>(LEDGER).readSide.runner.catchUp();
  console.log(`started, read models built from the log, in ${((performance.now() - starting) / 1000).toFixed(1)} s`);
  try {
    const signIn = await fetch(`${url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `credential=${key}`,
      redirect: 'manual',
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const get = async (page: string) => {
      const started = performance.now();
      const response = await fetch(`${url}${page}`, { headers: page.startsWith('/v1') ? { 'x-api-key': key } : { cookie } });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${page}: ${response.status}`);
      return { ms: performance.now() - started, body };
    };
    const firstPage = (await get('/console/complaints')).body;
    const next = /href="(\/console\/complaints\?cursor=[^"]+)"/.exec(firstPage)?.[1]?.replace(/&amp;/g, '&');
    const pages = [
      '/console/complaints',
      next ?? '/console/complaints',
      '/console/complaints?status=closed&tenure=LCHO&receivedFrom=2025-01-01',
      `/console/complaints/${ids[Math.floor(complaints / 2)]}`,
      `/console/complaints/${ids[Math.floor(complaints / 2)]}?step=2`,
      '/console/breaches?includeRetracted=true',
      '/console/statistics?year=2024',
      '/console/report/page?year=2024',
      // point in time (decision 0018): the complaints read model built from the log for the one query
      `/v1/statistics/tsm?year=2024&knownAt=${new Date().toISOString()}`,
      `/v1/complaints?limit=25&asOf=2025-01-01T00:00:00Z`,
    ];
    console.log(`\n| page (${complaints.toLocaleString('en-GB')} complaints) | median ms | slowest ms |\n| --- | ---: | ---: |`);
    for (const page of pages) {
      const times: number[] = [];
      for (let round = 0; round < rounds; round++) times.push((await get(page)).ms);
      times.sort((a, b) => a - b);
      const label = page
        .replace(/[0-9a-f-]{36}/, '{id}')
        .replace(/cursor=[^&]+/, 'cursor=…')
        .replace(/knownAt=[^&]+/, 'knownAt=…');
      console.log(`| \`${label}\` | ${times[Math.floor(times.length / 2)]!.toFixed(1)} | ${times.at(-1)!.toFixed(1)} |`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
