import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { exited, freePort, ROOT } from './support/processes';
import { scaled } from './support/timeouts';

/**
 * The Nest CLI's build of one app (nest-cli.json: `npx nest build ledger-api`, `npx nest start
 * ledger-api`), beside the tsc build npm start uses: it builds, and what it built serves. Built
 * into a folder of its own, never dist/, which other tests build and start from at the same time.
 */
jest.setTimeout(scaled(300_000));

const nest = require.resolve('@nestjs/cli/bin/nest.js');
const scratch = mkdtempSync(join(tmpdir(), 'nest-build-'));
const out = join(scratch, 'out');
// as deployed, node_modules is found beside the build
symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));

// nest-cli.json as it is, but for ledger-api's tsconfig (the one it names) sending the output to
// `out`, and looking its type definitions up beside the repository's tsconfig, not beside this one
const config = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8'));
const project = config.projects['ledger-api'];
const tsconfig = join(scratch, 'tsconfig.json');
const compilerOptions = { outDir: out, tsBuildInfoFile: join(out, '.tsbuildinfo'), typeRoots: [join(ROOT, 'node_modules/@types')] };
writeFileSync(tsconfig, JSON.stringify({ extends: join(ROOT, project.compilerOptions.tsConfigPath), compilerOptions }));
project.compilerOptions.tsConfigPath = relative(ROOT, tsconfig);
writeFileSync(join(scratch, 'nest-cli.json'), JSON.stringify(config));
const nestCommand = (command: 'build' | 'start') => [
  nest,
  command,
  'ledger-api',
  '--config',
  relative(ROOT, join(scratch, 'nest-cli.json')),
];

/** The minimal configuration of a service of its own. */
const serviceEnv = (name: string) => {
  const data = join(scratch, name);
  mkdirSync(data);
  return {
    PATH: process.env.PATH,
    PORT: String(freePort()),
    LEDGER_API_KEYS: 'nest-build:admin:nest-build-test-key-0123456789abcdef',
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_SQLITE_PATH: join(data, 'ledger.sqlite'),
  };
};

const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) {
    // each started in a process group of its own: nest start runs the service under a shell
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await exited(child);
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs `node args…` from the repository to its end: its exit status and what it printed. */
const run = (args: string[]) =>
  new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (status) => resolve({ status, output }));
  });

/** Starts `command` in a process group of its own; what it writes to stderr is kept. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; errors: () => string } {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return { child, errors: () => errors };
}

/** GET /health/live's status once it answers 200, or when the process has exited or two minutes have passed. */
async function live(port: string, child: ChildProcess): Promise<number> {
  const since = Date.now();
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200 || child.exitCode !== null || Date.now() - since > scaled(120_000)) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('nest build ledger-api builds an app that starts, as deploy/node.sh starts it, and answers GET /health/live', async () => {
  expect(await run(nestCommand('build'))).toEqual({ status: 0, output: '' });

  const env = serviceEnv('built');
  const service = start('sh', [join(ROOT, 'deploy/node.sh'), join(out, 'apps/ledger-api/src/main.js')], { ...env, TS_NODE_BASEURL: out });
  expect(await live(env.PORT, service.child)).toBe(200);
  expect(service.errors()).toBe('');
});

it('nest start ledger-api builds and starts it', async () => {
  const env = serviceEnv('started');
  const service = start(process.execPath, nestCommand('start'), env);
  expect(await live(env.PORT, service.child)).toBe(200);
  expect(service.errors()).toBe('');
});
