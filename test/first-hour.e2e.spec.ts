import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBuilt, freePort, killAll, ready, ROOT, runTool, startNode, stop } from './support/processes';
import { scaled } from './support/timeouts';

/**
 * A newcomer's first hour, as the README tells it: the service started as `npm start` starts it
 * (a fresh folder, local keys written on first start, breach sweeps running), the walk-through's
 * shell blocks run with bash exactly as written, and `npm run demo:seed` on a port that is not
 * the default. The only line the test adds to the walk-through waits, after the escalation, until
 * the sweep has recorded the complaint's late acknowledgement, so that a sweep always falls between
 * a read (the escalation's answer) and the command conditional on it, as for someone typing slowly.
 */
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first ```sh block after the line that starts with `marker`. */
function shellBlockAfter(marker: string): string {
  const from = README.split('\n').findIndex((line) => line.startsWith(marker));
  if (from < 0) throw new Error(`README: no line starting "${marker}"`);
  const block = /```sh\n([\s\S]*?)\n```/.exec(README.split('\n').slice(from).join('\n'));
  if (!block) throw new Error(`README: no sh block after "${marker}"`);
  return block[1]!;
}

/** Every curl's status, method and URL on stderr, beside its output (curl's own --write-out, to stderr). */
const TRACE_CURL = `curl() { command curl -w '%{stderr}%{http_code} %{method} %{url_effective}\\n' "$@"; }`;
const AFTER_A_SWEEP = `for i in $(seq 300); do command curl -s "$BASE/v1/breaches?kind=acknowledgement" -H "X-API-Key: $ANALYST" | grep -q "$ID" && break; sleep 0.2; done`;

const bash = (script: string, cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('bash', ['-c', script], { cwd, env, timeout: scaled(120_000) }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });

let folder: string;
let port: number;
let service: ChildProcess;
beforeAll(async () => {
  ensureBuilt();
  folder = mkdtempSync(join(tmpdir(), 'first-hour-'));
  port = freePort();
  service = startNode('apps/ledger-api/src/main.js', {
    LEDGER_LOCAL_SETUP: 'true', // as npm start sets it
    LEDGER_SQLITE_PATH: join(folder, 'data', 'ledger.sqlite'), // ./data, in the folder the walk-through runs in
    LEDGER_BREACH_SWEEP_SECONDS: '1',
    PORT: String(port),
  });
  await ready(`http://127.0.0.1:${port}`, service);
}, scaled(300_000));
afterAll(async () => {
  if (service) await stop(service);
  killAll();
});

it('the README walk-through, run with bash as written (a breach sweep between the escalation and the stage 2 acknowledgement), answers 2xx throughout', async () => {
  const walkThrough = shellBlockAfter('## Walk-through').split('\n');
  const escalation = walkThrough.findIndex((line) => line.includes('/escalations'));
  expect(escalation).toBeGreaterThan(0);
  walkThrough.splice(escalation + 1, 0, AFTER_A_SWEEP);
  const script = [TRACE_CURL, ...walkThrough, shellBlockAfter('Facts arrive late')].join('\n');
  const { code, stdout, stderr } = await bash(script, folder, {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`, // node, as npm start needed it
    PORT: String(port),
  });
  expect(code).toBe(0);
  const calls = stderr
    .split('\n')
    .filter((line) => /^\d{3} /.test(line))
    .map((line) => line.replace(/:\/\/localhost:\d+/, '://localhost').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '{id}'));
  expect(calls).toEqual([
    '201 POST http://localhost/v1/complaints',
    '200 POST http://localhost/v1/complaints/{id}/acknowledgements',
    '200 POST http://localhost/v1/complaints/{id}/responses',
    '200 POST http://localhost/v1/complaints/{id}/escalations',
    '200 POST http://localhost/v1/complaints/{id}/acknowledgements', // If-Match: the escalation's revision, a sweep since
    '200 POST http://localhost/v1/complaints/{id}/responses',
    '200 GET http://localhost/v1/complaints/{id}',
    '200 GET http://localhost/v1/complaints/{id}/history',
    '200 GET http://localhost/v1/complaints/{id}/integrity',
    '200 GET http://localhost/v1/complaints/{id}/export',
    '200 GET http://localhost/v1/ledger/integrity',
    '200 GET http://localhost/v1/complaints?status=closed&tenure=LCRA&limit=20',
    '200 GET http://localhost/v1/breaches?kind=acknowledgement',
    '200 GET http://localhost/v1/statistics/tsm?year=2024',
    '200 GET http://localhost/v1/complaints/{id}?asOf=2024-05-10',
    expect.stringMatching(/^200 GET http:\/\/localhost\/v1\/complaints\/\{id\}\?knownAt=\d{4}-\d\d-\d\dT[\d:.]+Z$/),
    '200 POST http://localhost/v1/complaints/{id}/corrections',
  ]);
  expect(stdout).toContain('"valid":true');
  expect(stdout).toMatch(/"kind":"acknowledgement","stage":1,"provision":"6.2",[^}]*"status":"met_late","workingDaysLate":2,/); // as the README says
  expect(stdout).toContain('"status":"responded"'); // as known before the escalation
});

it('npm run demo:seed takes the port from PORT, as the server does', async () => {
  const key = readFileSync(join(folder, 'data', 'local-api-keys'), 'utf8')
    .split('\n')
    .find((line) => line.split(':')[1] === 'case_handler')!
    .split(':')[2]!;
  const seeded = await runTool('apps/ledger-api/src/demo/seed.js', [], { PORT: String(port), DEMO_API_KEY: key, DEMO_COMPLAINTS: '3' });
  expect([seeded.status, seeded.stderr]).toEqual([0, '']);
  expect(seeded.stdout).toMatch(/^3 complaints of 2024\/25 recorded/);
  expect(seeded.stdout).toContain(`http://localhost:${port}/v1/reports/annual.html?year=2024`);
});

it('with nothing on that port, demo:seed says where it looked, in a sentence', async () => {
  const nowhere = freePort();
  const seeded = await runTool('apps/ledger-api/src/demo/seed.js', [], { PORT: String(nowhere), DEMO_API_KEY: 'any' });
  expect(seeded.status).toBe(1);
  expect(seeded.stderr.trim()).toMatch(
    new RegExp(`^no ledger answered at http://localhost:${nowhere} \\(ECONNREFUSED\\): start it with npm start, and give this the port`),
  );
});
