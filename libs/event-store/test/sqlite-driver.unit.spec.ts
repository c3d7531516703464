import { spawnSync } from 'node:child_process';

/**
 * better-sqlite3 as installed here survives the garbage collector freeing its statements while no
 * JavaScript of the context that made them runs (contexts dropped, as jest drops each test file's).
 * Compiled against Node 24.19's headers or later it aborts the process there ("Assertion failed:
 * (env) != nullptr", nodejs/node#65446), and a service would die at some moment after a write:
 * deploy/sqlite-headers.sh names the headers to compile it against (docs/operations.md).
 */
it("better-sqlite3's statements can be collected after the context that made them is gone", () => {
  const script = `
    const vm = require('node:vm');
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    for (let round = 0; round < 20; round++) {
      const context = vm.createContext({ Database });
      vm.runInContext("const db = new Database(':memory:'); for (let i = 0; i < 5000; i++) db.prepare('SELECT ' + i);", context);
    }
    setTimeout(() => { gc(); process.stdout.write('collected'); }, 50);`;
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const why = `node ${process.version} ended with ${run.signal ?? run.status}: ${run.stderr.split('\n').find((line) => line.includes('Assertion')) ?? run.stderr.slice(0, 300)}`;
  expect({ output: run.stdout, ...(run.status === 0 ? {} : { why }) }).toEqual({ output: 'collected' });
});
