import { readFileSync } from 'node:fs';
import { loadConfig } from '@complaint-ledger/ledger';
import { demoYear } from './demo-year';
import { seedThroughApi } from './seed-client';

/**
 * `npm run demo:seed`: loads a generated reporting year into a running ledger through its public
 * API, on this machine at the port the server takes (PORT, read as the server reads it: 3000
 * unless set) or at DEMO_LEDGER_URL, with DEMO_API_KEY or the case handler's key from
 * ./data/local-api-keys (written by npm start). DEMO_YEAR (2024), DEMO_COMPLAINTS (400).
 */
async function main(): Promise<void> {
  const url = process.env.DEMO_LEDGER_URL ?? `http://localhost:${loadConfig({ PORT: process.env.PORT }).PORT}`;
  const key = process.env.DEMO_API_KEY ?? localKey('case_handler');
  const year = Number(process.env.DEMO_YEAR ?? 2024);
  const complaints = Number(process.env.DEMO_COMPLAINTS ?? 400);
  const started = Date.now();
  const ids = await seedThroughApi(url, key, demoYear(year, complaints));
  console.log(
    `${ids.filter(Boolean).length} complaints of ${year}/${String(year + 1).slice(2)} recorded in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`the annual report: ${url}/v1/reports/annual.html?year=${year} (an analyst's or auditor's key)`);
}

function localKey(role: string): string {
  const line = readFileSync('./data/local-api-keys', 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[1] === role);
  if (!line) throw new Error(`no ${role} key in ./data/local-api-keys: start the ledger with npm start, or set DEMO_API_KEY`);
  return line.split(':').slice(2).join(':');
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
