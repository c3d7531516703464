import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complaintStream } from '@complaint-ledger/event-store';
import { complaintIdOf, Ledger, loadConfig } from '@complaint-ledger/ledger';
import { FACTS_PER_COMPLAINT, writeHistory } from '../../../bench/support/history-file';
import { ensureBuilt, kill9, runTool, startNode } from '../../../test/support/processes';

/**
 * `npm run import` as its own process, for what spans processes: killed with SIGKILL mid-import
 * and run again, it goes on where it stopped and ends as an uninterrupted import does; two imports
 * of different files into one ledger at once do not get in each other's way.
 */
jest.setTimeout(600_000);

const MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const IMPORT = 'apps/ledger-worker/src/import.js';
const envFor = (folder: string) => ({
  LEDGER_STORE: 'sqlite',
  LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
  LEDGER_MASTER_KEY: MASTER_KEY,
});
const newFolder = (name: string) => mkdtempSync(join(tmpdir(), `import-cli-${name}-`));
const importIdIn = (output: string) => /as import ([0-9a-f-]{36})/.exec(output)?.[1];

beforeAll(() => ensureBuilt());

/** Events in the log now, read by another connection while the import writes. */
function eventsIn(folder: string): number {
  try {
    const db = new Database(join(folder, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not made yet
  }
}

/** Every complaint's events as a reader decrypts them, less what differs between two imports by design (the import's id, record times, hashes over them). */
async function ledgerContent(folder: string, references: readonly string[]) {
  const ledger = Ledger.open(loadConfig(envFor(folder)), {
    role: 'worker',
    loggers: () => ({ log: () => undefined, warn: () => undefined, error: () => undefined }),
  });
  try {
    const content = [];
    for (const reference of references) {
      const events = await ledger.store.readStream(complaintStream(complaintIdOf(reference)));
      content.push(
        ledger.personalData!.cipher.reveal(
          events.map(({ eventId, revision, type, data, metadata }) => ({
            eventId,
            revision,
            type,
            data,
            occurredAt: metadata.occurredAt,
            actor: metadata.actor,
            idempotencyKey: metadata.idempotencyKey,
            row: metadata.provenance?.row,
            sourceSha256: metadata.provenance?.sourceSha256,
          })),
        ),
      );
    }
    return content;
  } finally {
    await ledger.close();
  }
}

const references = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(7, '0')}`);

describe('npm run import, killed with SIGKILL mid-import and run again', () => {
  it('goes on where it stopped, as the same import, and ends with what an uninterrupted import records and reports', async () => {
    const complaints = 2_000;
    const file = join(newFolder('file'), 'history.csv');
    await writeHistory(file, complaints);
    const total = complaints * FACTS_PER_COMPLAINT;

    const interrupted = newFolder('interrupted');
    const first = startNode(IMPORT, envFor(interrupted), [file], 'pipe');
    let said = '';
    first.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    while (eventsIn(interrupted) < total / 4) {
      if (first.exitCode !== null) throw new Error(`the import ended before it could be interrupted: ${said}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await kill9(first);
    const recordedBeforeKill = eventsIn(interrupted);
    expect(recordedBeforeKill).toBeLessThan(total);

    const resumed = await runTool(IMPORT, [file], envFor(interrupted));
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('resuming');
    expect(importIdIn(resumed.stderr)).toBe(importIdIn(said));
    expect(resumed.stdout).toContain(`${total} rows — recorded ${total}, refused 0, skipped as already recorded 0`);

    const uninterrupted = newFolder('uninterrupted');
    const whole = await runTool(IMPORT, [file], envFor(uninterrupted));
    expect(whole.status).toBe(0);

    expect(eventsIn(interrupted)).toBe(eventsIn(uninterrupted));
    const all = references('HMS', complaints);
    expect(await ledgerContent(interrupted, all)).toEqual(await ledgerContent(uninterrupted, all));
    const report = (folder: string, output: string) => readFileSync(join(folder, 'imports', importIdIn(output)!, 'report.csv'), 'utf8');
    expect(report(interrupted, said)).toBe(report(uninterrupted, whole.stderr));

    const again = await runTool(IMPORT, [file], envFor(interrupted));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`recorded 0, refused 0, skipped as already recorded ${total}`);
    expect(eventsIn(interrupted)).toBe(total);
  });
});

describe('two imports of different files into one ledger at once', () => {
  it('each records its own file whole; neither refuses, skips or loses a row of the other', async () => {
    const complaints = 600;
    const folder = newFolder('together');
    const [east, west] = [join(newFolder('east'), 'east.csv'), join(newFolder('west'), 'west.csv')];
    await writeHistory(east, complaints, 'EAST');
    await writeHistory(west, complaints, 'WEST');

    const [a, b] = await Promise.all([runTool(IMPORT, [east], envFor(folder)), runTool(IMPORT, [west], envFor(folder))]);

    const rows = complaints * FACTS_PER_COMPLAINT;
    for (const run of [a, b]) {
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`${rows} rows — recorded ${rows}, refused 0, skipped as already recorded 0`);
    }
    expect(eventsIn(folder)).toBe(2 * rows);
    const content = await ledgerContent(folder, [...references('EAST', complaints), ...references('WEST', complaints)]);
    expect(content.map((events) => events.map((event) => event.type))).toEqual(
      Array(2 * complaints).fill(['ComplaintReceived', 'Acknowledged', 'CorrespondenceRecorded', 'Responded']),
    );
    // one of them kept the read models, the other said who did
    expect([a.stderr, b.stderr].filter((said) => said.includes('the read models are kept by'))).toHaveLength(1);
  });
});
