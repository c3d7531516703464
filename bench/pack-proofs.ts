import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import yazl from 'yazl';
import type { SqliteEventStore, RecordedEvent } from '@complaint-ledger/event-store';
import { LogTree, type CheckpointSigningKey } from '@complaint-ledger/ledger';
import { medianBy } from './support/median';

/**
 * An evidence pack's proof at two sizes of log (decision 0024): for a complaint among the log's
 * first events, each of its events' inclusion proof against a tree head signed at `size` events
 * — hashes per event, the proof's bytes — and the time the single-file verifier
 * (tools/verify-pack/verify-pack.mjs) takes over a pack of them (no documents: their hashing is
 * linear in their size, not in the log's). Also the tree file grown from the log, once.
 */
export async function packProofFigures(
  store: SqliteEventStore,
  signing: CheckpointSigningKey,
  sizes: readonly number[],
  rounds = 51,
): Promise<void> {
  const events = await store.readAll(-1, 2_000);
  const complaint = events.filter((event) => event.streamId === events[0]!.streamId);
  const tree = new LogTree(join(mkdtempSync(join(tmpdir(), 'ledger-bench-tree-')), 'merkle.sqlite'), (after, limit) =>
    store.readAll(after, limit),
  );
  const largest = Math.max(...sizes);
  let started = performance.now();
  await tree.growTo(largest);
  const growSeconds = (performance.now() - started) / 1000;
  // the verifier is an ES module run by Node alone; a real import() (not compiled to require)
  const importModule = new Function('path', 'return import(path)') as (
    path: string,
  ) => Promise<{ verifyPack: (zip: Buffer, pem: string) => { ok: boolean; failures: string[] } }>;
  const { verifyPack } = await importModule(resolve(__dirname, '../../tools/verify-pack/verify-pack.mjs'));
  console.log(`\nthe tree file grown from the log: ${largest.toLocaleString('en-GB')} events in ${growSeconds.toFixed(1)} s`);
  console.log(`an evidence pack's proof for a complaint of ${complaint.length} events, median of ${rounds}`);
  console.log('| log size (events) | hashes per event | proof.json (bytes) | proofs made (ms) | pack verified (ms) |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const last = (await store.readAll(-1, 1)).length ? await positionOfLeaf(store, size - 1) : 0;
    const head = signing.sign({ position: last, events: size, head: '0'.repeat(64) }, new Date().toISOString(), {
      treeSize: size,
      root: tree.root(size).toString('hex'),
    });
    const proving: number[] = [];
    let inclusions: object[] = [];
    for (let round = 0; round < rounds; round++) {
      started = performance.now();
      inclusions = complaint.map((event) => {
        const proof = tree.inclusionProof(tree.leafOf(event.position)!, size);
        return {
          revision: event.revision,
          position: event.position,
          streamId: event.streamId,
          leafIndex: proof.leafIndex,
          treeSize: size,
          path: proof.path.map((hash) => Buffer.from(hash).toString('hex')),
        };
      });
      proving.push(performance.now() - started);
    }
    const proof = JSON.stringify(
      { complaintStream: complaint[0]!.streamId, signedTreeHead: head, inclusions, documents: [], withheld: [] },
      null,
      2,
    );
    const zip = await zipOf({
      'events.jsonl': complaint.map((event) => `${JSON.stringify(stored(event))}\n`).join(''),
      'proof.json': proof,
    });
    const verifying: number[] = [];
    for (let round = 0; round < rounds; round++) {
      started = performance.now();
      const verdict = verifyPack(zip, signing.verifying.pem);
      verifying.push(performance.now() - started);
      if (!verdict.ok) throw new Error(`the pack does not verify: ${verdict.failures.join('; ')}`);
    }
    const hashes = (inclusions[0] as { path: string[] }).path.length;
    console.log(
      `| ${size.toLocaleString('en-GB')} | ${hashes} | ${Buffer.byteLength(proof).toLocaleString('en-GB')} | ${medianBy(proving, (ms) => ms).toFixed(2)} | ${medianBy(verifying, (ms) => ms).toFixed(2)} |`,
    );
  }
  tree.close();
}

async function positionOfLeaf(store: SqliteEventStore, leaf: number): Promise<number> {
  const page = await store.readAll(-1, leaf + 1);
  return page.at(-1)!.position;
}

const stored = ({ streamId, revision, position, eventId, type, data, metadata }: RecordedEvent) => ({
  streamId,
  revision,
  position,
  eventId,
  type,
  data,
  metadata,
});

function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((done, fail) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => done(Buffer.concat(chunks)));
    zip.outputStream.on('error', fail);
  });
}
