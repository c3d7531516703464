import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../../src/infrastructure/tokens';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KEYS, startApp } from '../support';
import { walkThrough } from './walk-through';

/**
 * An integrator's client generated from the document the API serves: openapi-typescript's types
 * (committed as openapi-types.ts, so `npm run typecheck` checks walk-through.ts against them) and
 * openapi-fetch's calls, running the README's walk-through over real HTTP.
 */
const FILE = join(__dirname, 'openapi-types.ts');
// the command lines, as an integrator runs them (their libraries load ES modules Jest does not)
const GENERATOR = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
const PRETTIER = join(dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');

let app: NestFastifyApplication;
let baseUrl: string;
beforeAll(async () => {
  app = await startApp();
  await app.listen(0, '127.0.0.1');
  baseUrl = await app.getUrl();
});
afterAll(async () => app.close());

it('the types generated from the served document are the ones the walk-through is checked against', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'openapi-client-'));
  writeFileSync(join(folder, 'openapi.json'), await (await fetch(`${baseUrl}/docs-json`)).text());
  await promisify(execFile)(process.execPath, [GENERATOR, join(folder, 'openapi.json'), '--output', join(folder, 'types.ts')]);
  const generated = execFileSync(process.execPath, [PRETTIER, '--stdin-filepath', FILE], {
    input: readFileSync(join(folder, 'types.ts')),
    encoding: 'utf8',
  });
  if (process.env.UPDATE_CONTRACTS) writeFileSync(FILE, generated);
  expect(readFileSync(FILE, 'utf8')).toBe(generated);
});

it('runs the walk-through through the generated client: receive (then again, replayed) → … → respond at stage 2, and every read', async () => {
  const ledger = app.get<Ledger>(LEDGER);
  // before the reads, the read models catch up and the breach sweep runs, as the running service's would
  const sweep = async () => {
    await ledger.readSide.runner.catchUp();
    await ledger.sweep();
    await ledger.readSide.runner.catchUp();
  };
  const result = await walkThrough(baseUrl, { caseHandler: KEYS.case_handler, auditor: KEYS.auditor, analyst: KEYS.analyst }, sweep);
  expect(result).toEqual({
    id: expect.any(String),
    statuses: [201, 201, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    replayed: 'true',
    status: 'closed',
    stage1Acknowledgement: { provision: '6.2', workingDaysLate: expect.any(Number), status: 'met_late' },
    recordedBy: Array(7).fill('api-key:case-system'),
    chainValid: true,
    exported: true,
    ledgerValid: true,
    listed: true,
    breachKinds: ['acknowledgement'],
    tsmYear: '2024/25',
  });
});
