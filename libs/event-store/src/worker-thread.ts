import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';

export interface ThreadOptions {
  readonly workerData: object;
  /** What `workerData` hands over rather than copies (a MessagePort of the thread's own). */
  readonly transferList?: readonly TransferListItem[];
  /** A memory bound of the thread's own. */
  readonly resourceLimits: ResourceLimits;
  /** The entry imports the libraries by their `@complaint-ledger/...` names (tsconfig paths). */
  readonly aliases?: boolean;
}

/**
 * Starts a worker thread from `entry`, a module path without its extension: the compiled `.js`
 * beside it when there is one (`npm start`, the image), else the TypeScript source (the tests),
 * compiled as it loads with swc, as Jest compiles everything else. None of the process's own
 * preloads or V8 flags are passed on (a thread may not take per-process flags); with `aliases`
 * the thread registers tsconfig-paths itself, which reads TS_NODE_BASEURL as the process did.
 */
export function startThread(entry: string, options: ThreadOptions): Worker {
  const { workerData, resourceLimits, aliases = false } = options;
  const transferList = options.transferList ? [...options.transferList] : undefined;
  const compiled = existsSync(`${entry}.js`);
  if (compiled && !aliases) return new Worker(`${entry}.js`, { workerData, transferList, resourceLimits, execArgv: [] });
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    const { thread } = workerData;
    if (thread.swc) {
      const { readFileSync } = require('node:fs');
      const { transformSync } = require(thread.swc);
      const options = { module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } };
      require.extensions['.ts'] = (module, filename) =>
        module._compile(transformSync(readFileSync(filename, 'utf8'), { ...options, filename }).code, filename);
    }
    if (thread.paths) require(thread.paths);
    require(thread.script);`;
  const thread = {
    script: compiled ? `${entry}.js` : `${entry}.ts`,
    swc: compiled ? null : require.resolve('@swc/core'),
    paths: aliases ? require.resolve('tsconfig-paths/register') : null,
  };
  return new Worker(bootstrap, { eval: true, workerData: { ...workerData, thread }, transferList, resourceLimits, execArgv: [] });
}

/**
 * Lowers the scheduling priority of the calling thread alone (Linux: `nice` 10 through its thread
 * id, /proc/thread-self), for threads whose work may wait: queries and the read models' check. On
 * two cores a query thread busy with an annual report at a million complaints took a core from the
 * threads that take commands (their p99 went from 92 to 160 ms beside queries); at a lower
 * priority the kernel gives those threads the CPU first (82 to 108 ms in the same run repeated:
 * docs/performance.md).
 * Elsewhere, or where the id cannot be read, nothing changes: false.
 */
export function runBelowCommands(niceness = 10): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId === process.pid) return false; // never the whole process's main thread
    setPriority(threadId, niceness);
    return true;
  } catch {
    return false;
  }
}
