import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** deploy/node.sh: how npm start, the worker, rebuilds and the Docker image start Node. */
const launch = (heapMb: string | undefined, ...args: string[]) => launchWith({ LEDGER_HEAP_MB: heapMb }, ...args);
const launchWith = (env: Record<string, string | undefined>, ...args: string[]) =>
  spawnSync('sh', [join(__dirname, '..', 'deploy', 'node.sh'), ...args], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, MALLOC_ARENA_MAX: undefined, ...env },
    encoding: 'utf8',
  });

describe('the service launcher', () => {
  it('bounds the heap at LEDGER_HEAP_MB, 256 MB unless told otherwise', () => {
    const printLimit = ['-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit / 1048576))"];
    const byDefault = launch(undefined, ...printLimit);
    const small = launch('128', ...printLimit);
    expect(byDefault.status).toBe(0);
    // the limit V8 reports adds the young generation (three semi-spaces) to the old-space bound: 4 MB semi-spaces give
    // 268 MB; 8 MB (280) held every worker's young generation at 16 MB too (docs/performance.md, "Memory"), Node 24's own 448
    expect(Number(byDefault.stdout)).toBeGreaterThanOrEqual(256);
    expect(Number(byDefault.stdout)).toBeLessThanOrEqual(256 + 3 * 4);
    expect(Number(small.stdout)).toBeGreaterThanOrEqual(128);
    expect(Number(small.stdout)).toBeLessThan(Number(byDefault.stdout));
  });

  it("limits glibc's malloc to two arenas unless the caller says otherwise", () => {
    const printArenas = ['-e', 'process.stdout.write(String(process.env.MALLOC_ARENA_MAX))'];
    expect(launchWith({}, ...printArenas).stdout).toBe('2');
    expect(launchWith({ MALLOC_ARENA_MAX: '4' }, ...printArenas).stdout).toBe('4');
  });

  it.each(['abc', '12.5', '-1', '10'])('refuses LEDGER_HEAP_MB=%s with a message naming it, starting nothing', (value) => {
    const refused = launch(value, '-e', 'process.stdout.write("started")');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/LEDGER_HEAP_MB must be/);
  });
});
