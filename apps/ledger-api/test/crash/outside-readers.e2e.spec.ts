import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, freePort, kill9, killAll, ready, startNode } from '../../../../test/support/processes';
import { TEST_API_KEYS, TEST_MASTER_KEY } from '../support';
import { drive, expectNothingLost, type Sent } from './load';
import { DATA_FILES, visit, walFilesMissing } from './outsiders';
import { scaled } from '../../../../test/support/timeouts';

/**
 * Other programs on the live data folder, as an operator's would be: the sqlite3 shell reading
 * each file and taking a `.backup`, `npm run verify`, `npm run backup`, and a program writing a
 * table of its own into the log's file, all while commands are being answered. SQLite's locks
 * are POSIX locks, held per process: while the service held none (it opened and closed the files
 * beside its live connections), the shell's connection took itself for the last one, deleted the
 * WAL the service was writing into, and what the service acknowledged after that was lost at the
 * next kill -9 (docs/operations.md, "Durability").
 */
jest.setTimeout(scaled(180_000));
beforeAll(() => ensureBuilt());
afterEach(() => killAll());

const locksOf = (pid: number, file: string): number => {
  const inode = statSync(file).ino;
  return readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((line) => line.includes(` ${pid} `) && line.includes(`:${inode} `)).length;
};

it('another program reading, backing up, verifying and writing beside the service takes nothing acknowledged away', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-outsiders-'));
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const service = startNode('apps/ledger-api/src/main.js', {
    PORT: String(port),
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
  });
  await ready(base, service);
  const sent: Sent[] = [];
  const complaints: string[] = [];
  let stopped = false;
  const driving = drive(base, sent, complaints, () => stopped, 8);
  await new Promise((r) => setTimeout(r, 500)); // keys, projections and the log all written to

  // the service holds its locks on every file it has open, on its request thread and its own threads
  if (existsSync('/proc/locks'))
    for (const file of DATA_FILES) expect([file, locksOf(service.pid!, join(folder, file))]).not.toEqual([file, 0]);
  else console.log('no /proc/locks on this system: the locks themselves are not inspected, only their effect');

  await visit(folder, ['select', 'sqlite3-backup', 'verify', 'backup', 'outside-write', 'select']);
  expect(walFilesMissing(folder)).toEqual([]); // nobody deleted the service's WAL under it
  const acknowledgedBefore = sent.filter((entry) => entry.acknowledged).length;
  await new Promise((r) => setTimeout(r, 700)); // commands go on being answered into that WAL
  expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  await kill9(service);
  stopped = true;
  await driving;

  const acknowledged = sent.filter((entry) => entry.acknowledged);
  expect(acknowledged.length).toBeGreaterThan(acknowledgedBefore); // the load went on after the visit
  expect(sent.filter((entry) => (entry.status ?? 0) >= 500)).toEqual([]); // the outside write failed no command
  await expectNothingLost(folder, sent);
});
