/**
 * npm run bench:verify — the ledger verifying its own log (decision 0020), on a log of
 * BENCH_COMPLAINTS complaints (default 125,000: 1,000,000 events) generated through the store
 * port (not timed), signed with a fresh Ed25519 key:
 *   - the whole log, as `npm run verify`, the auditor's endpoint and the background pass read it:
 *     events/s, and the heap the verifier holds at the end, keeping every stream's last link or
 *     the 25,000 most recently used (the service's setting);
 *   - a start from the signed mark: with nothing after it, and with BENCH_AFTER complaints
 *     (default 10,000) recorded since.
 * Each figure is the median of BENCH_ROUNDS runs (default 3).
 * Then an evidence pack's proof (decision 0024) against tree heads at 10,000 events and at the
 * whole log: hashes per event, bytes, and the single-file verifier's time (bench/pack-proofs.ts).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHECKPOINT_STREAM, EVENT_SCHEMA_VERSION } from '@complaint-ledger/domain';
import { SqliteEventStore } from '@complaint-ledger/event-store';
import { CheckpointSigningKey, LedgerVerifier, markProblem, readMark, readThrough, writeMark } from '@complaint-ledger/ledger';
import { generate, lifecycle } from './support/generated-log';
import { packProofFigures } from './pack-proofs';
import { medianBy } from './support/median';

const complaints = Number(process.env.BENCH_COMPLAINTS ?? 125_000);
const after = Number(process.env.BENCH_AFTER ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-verify-'));
  const keyFile = join(folder, 'signing-key.pem');
  writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const signing = CheckpointSigningKey.fromFile(keyFile);
  const key = signing.verifying;
  const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
  const markFile = join(folder, 'verified-mark.json');
  const read = (afterPosition: number, limit: number) => store.readAll(afterPosition, limit);
  const readStream = (streamId: string) => store.readStream(streamId);

  process.stdout.write(`generating ${complaints} complaints (${complaints * 8} events)… `);
  await generate(store, complaints, (i) => lifecycle(randomUUID(), i));
  console.log('done');

  /** One run: the verdict, seconds, and what the verifier holds in memory at the end (heap after a full collection). */
  const timed = async (verifier: LedgerVerifier, before: () => Promise<void> = async () => undefined) => {
    gc();
    const base = process.memoryUsage().heapUsed;
    const started = performance.now();
    await before();
    const verdict = await readThrough(verifier, read);
    const seconds = (performance.now() - started) / 1000;
    gc();
    const heldMb = Math.max(0, (process.memoryUsage().heapUsed - base) / 1024 / 1024);
    if (!verdict.valid) throw new Error(`not valid: ${verdict.break?.detail}`);
    return { verdict, seconds, heapMb: heldMb, verifier };
  };
  const repeat = async (make: () => LedgerVerifier, before?: () => Promise<void>) => {
    const runs = [];
    for (let i = 0; i < rounds; i++) runs.push(await timed(make(), before));
    const middle = medianBy(runs, (r) => r.seconds);
    return { events: middle.verdict.head.events, seconds: middle.seconds, heapMb: middle.heapMb };
  };

  const bounded = await repeat(() => new LedgerVerifier({ key, readStream }));
  const unbounded = await repeat(() => new LedgerVerifier({ key }));

  // sign the head, record the checkpoint, read it back: the mark stands on it
  const verifier = new LedgerVerifier({ key, readStream });
  await readThrough(verifier, read);
  const checkpoint = signing.sign(verifier.head, new Date().toISOString());
  await store.append(
    CHECKPOINT_STREAM,
    [
      {
        eventId: randomUUID(),
        type: 'LedgerCheckpointed',
        data: checkpoint,
        metadata: { occurredAt: checkpoint.at, actor: 'ledger', correlationId: randomUUID(), schemaVersion: EVENT_SCHEMA_VERSION },
      },
    ],
    'no_stream',
  );
  await readThrough(verifier, read);
  writeMark(markFile, verifier.lastCheckpointState!, signing, new Date().toISOString());

  const mark = () => {
    const found = readMark(markFile, key);
    if (!found.mark) throw new Error('no mark');
    return found.mark;
  };
  const fromMark = () =>
    repeat(
      () => new LedgerVerifier({ key, readStream, from: mark() }),
      async () => {
        const problem = await markProblem(store, mark(), []);
        if (problem) throw new Error(problem.detail);
      },
    );
  const nothingAfter = await fromMark();
  process.stdout.write(`recording ${after} more complaints (${after * 8} events)… `);
  await generate(store, after, (i) => lifecycle(randomUUID(), i));
  console.log('done');
  const someAfter = await fromMark();

  const rate = (r: { events: number; seconds: number }) => Math.round(r.events / r.seconds).toLocaleString('en-GB');
  console.log(
    `\nverification on ${complaints.toLocaleString('en-GB')} complaints, median of ${rounds} (${process.version}, ${process.arch})`,
  );
  console.log('| what | events verified | seconds | events/s | heap held at the end (MB) |');
  console.log('|---|---:|---:|---:|---:|');
  const line = (what: string, r: { events: number; seconds: number; heapMb: number }, verified = r.events) =>
    console.log(
      `| ${what} | ${verified.toLocaleString('en-GB')} | ${r.seconds.toFixed(2)} | ${rate({ events: verified, seconds: r.seconds })} | ${r.heapMb.toFixed(0)} |`,
    );
  line('whole log, 25,000 streams kept (the service)', bounded);
  line('whole log, every stream kept', unbounded);
  line('start from the mark, nothing after it', nothingAfter, 0);
  line(`start from the mark, ${after.toLocaleString('en-GB')} complaints after it`, someAfter, someAfter.events - nothingAfter.events);

  await packProofFigures(store, signing, [Math.min(10_000, complaints * 8), complaints * 8]);
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
