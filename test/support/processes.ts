import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { scaled } from './timeouts';

/**
 * The service and its tools as separate processes, for the tests whose promise spans processes
 * (kill -9, a second reader, a backup, replicas): built once per test run, started from `dist/`
 * exactly as `npm start` starts them.
 */
export const ROOT = resolve(__dirname, '../..');

const STAMP = join(ROOT, 'dist/.built-for-test-run');
const LOCK = join(ROOT, 'dist/.building');

/**
 * Builds the apps and the EventStoreDB stand-in into dist/, once per test run (jest's global
 * setup names the run): test files in other workers wait for the one building, rather than
 * rewriting the files a spawned service is loading.
 */
export function ensureBuilt(): void {
  const run = process.env.TEST_RUN_ID ?? `standalone-${process.pid}`;
  const built = () => existsSync(STAMP) && readFileSync(STAMP, 'utf8') === run;
  if (built()) return;
  takeBuildLock();
  try {
    if (built()) return;
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
    execFileSync(process.execPath, [tsc, '-p', 'tools/eventstore-stand-in/tsconfig.json'], { cwd: ROOT });
    writeFileSync(STAMP, run);
  } finally {
    releaseBuildLock();
  }
}

/** The lock on dist/ that builders take in turn (a test running an npm script that compiles into dist/ takes it too). */
export function takeBuildLock(): void {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      // a builder killed mid-build leaves its lock: older than any build takes, it is taken over
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

export const releaseBuildLock = (): void => rmSync(LOCK, { recursive: true, force: true });

/** Processes a test file started: killed after each test, so a failed expectation never leaves one running. */
const running = new Set<ChildProcess>();
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A built entry point of the service (`apps/ledger-api/src/main.js`, …) as its own process, as deploy/node.sh runs it. */
export function startNode(entry: string, env: NodeJS.ProcessEnv, args: string[] = [], output: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'tsconfig-paths/register', join(ROOT, 'dist', entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_BASEURL: join(ROOT, 'dist'), ...env },
    stdio: ['ignore', output, output],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export const exited = (child: ChildProcess): Promise<unknown> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

/** Kills with SIGKILL (no clean-up at all, as a crash or the OOM killer) and waits for the process to be gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exited(child);
}

/** Stops cleanly (SIGTERM) and waits. */
export async function stop(child: ChildProcess): Promise<void> {
  const gone = exited(child);
  child.kill('SIGTERM');
  await gone;
}

export const freePort = (): number => 20_000 + Math.floor(Math.random() * 20_000);

/** Waits until `GET base/health/ready` answers 200, failing once the process has exited or the time is up. */
export async function ready(base: string, child?: ChildProcess, timeoutMs = scaled(60_000)): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode})`);
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${base} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The API as its own process on `port`, ready. */
export async function startApi(env: NodeJS.ProcessEnv, port = freePort()): Promise<{ child: ChildProcess; base: string }> {
  const child = startNode('apps/ledger-api/src/main.js', { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await ready(base, child);
  return { child, base };
}

/** The EventStoreDB stand-in as its own process (npm run eventstore:stand-in): it outlives the ledger's processes. */
export async function startStandIn(): Promise<{ child: ChildProcess; connectionString: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/tools/eventstore-stand-in/main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const connectionString = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the stand-in exited (${code})`)));
  });
  return { child, connectionString };
}

/** Runs a built entry point (verify, backup, restore) to its end, or kills it after `timeoutMs`: its exit status and output. */
export function runTool(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = scaled(120_000),
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = startNode(entry, env, args, 'pipe');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs); // status null: it did not end by itself
    child.once('exit', () => clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
