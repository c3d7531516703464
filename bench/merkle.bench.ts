/**
 * npm run bench:merkle — the Merkle tree over the log (decision 0022) at BENCH_SIZES leaves
 * (default 10,000 and 1,000,000), its nodes in SQLite in a file of their own:
 *   - appending: event leaves (position, stream, revision, own hash) a page of BENCH_PAGE (2,000)
 *     at a time, one transaction each, as a checkpointer reading the log would; up to 10,000 one
 *     at a time, a transaction each, into another store; and the frontier alone, without a store,
 *     which is what whole-log verification would add per event;
 *   - the node store's size on disk, and reopening it (its frontier read back, nothing rebuilt);
 *   - BENCH_PROOFS (1,000) inclusion proofs of random leaves in the whole tree and consistency
 *     proofs from random earlier sizes to it: hashes and bytes, nodes read, and the time to make
 *     one (from SQLite) and to verify one.
 * Times are medians of the individual proofs; nothing else should run meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  consistencyProofProblem,
  eventLeaf,
  inclusionProofProblem,
  leafHash,
  MerkleFrontier,
  MerkleTree,
  SqliteMerkleNodeStore,
  type MerkleNode,
  type MerkleNodeStore,
} from '@complaint-ledger/ledger';

const sizes = (process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number);
const page = Number(process.env.BENCH_PAGE ?? 2_000);
const proofs = Number(process.env.BENCH_PROOFS ?? 1_000);
const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-merkle-'));

/** The leaf of the i-th event of a made-up log: eight events per complaint, positions with gaps. */
const HASHES = Array.from({ length: 1024 }, () => randomBytes(32).toString('hex'));
const leafAt = (i: number): Buffer =>
  eventLeaf({
    position: 3 * i + 1,
    streamId: `complaint-${Math.floor(i / 8)
      .toString(16)
      .padStart(8, '0')}-0000-4000-8000-000000000000`,
    revision: i % 8,
    metadata: { hash: HASHES[i % HASHES.length]! },
  });
const leaves = (from: number, to: number): Buffer[] => Array.from({ length: to - from }, (_, k) => leafAt(from + k));

/** A store that counts the nodes read through it. */
class Counting implements MerkleNodeStore {
  reads = 0;
  constructor(private readonly inner: MerkleNodeStore) {}
  size = () => this.inner.size();
  node(level: number, index: number): Buffer {
    this.reads += 1;
    return this.inner.node(level, index);
  }
  grow = (fromSize: number, toSize: number, nodes: readonly MerkleNode[]) => this.inner.grow(fromSize, toSize, nodes);
}

const seconds = (work: () => void): number => {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fileBytes = (path: string) =>
  ['', '-wal'].reduce((sum, suffix) => sum + (statSync(path + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
const random = (below: number) => Math.floor(Math.random() * below);

interface ProofFigures {
  hashes: { min: number; max: number; mean: number };
  reads: { max: number; mean: number };
  makeUs: number;
  verifyUs: number;
}

function proofFigures(samples: { hashes: number; reads: number; makeS: number; verifyS: number }[]): ProofFigures {
  const of = (field: 'hashes' | 'reads') => samples.map((sample) => sample[field]);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    hashes: { min: Math.min(...of('hashes')), max: Math.max(...of('hashes')), mean: mean(of('hashes')) },
    reads: { max: Math.max(...of('reads')), mean: mean(of('reads')) },
    makeUs: median(samples.map((s) => s.makeS)) * 1e6,
    verifyUs: median(samples.map((s) => s.verifyS)) * 1e6,
  };
}

function measure(size: number) {
  // one at a time, a transaction each, into a store of its own
  const single = Math.min(size, 10_000);
  const singleStore = SqliteMerkleNodeStore.open(join(folder, `single-${size}.sqlite`));
  const singleTree = new MerkleTree(singleStore);
  const singleS = seconds(() => {
    for (let i = 0; i < single; i++) singleTree.add(leafAt(i));
  });
  singleStore.close();

  const path = join(folder, `tree-${size}.sqlite`);
  const store = SqliteMerkleNodeStore.open(path);
  const tree = new MerkleTree(store);
  const pagedS = seconds(() => {
    for (let from = 0; from < size; from += page) tree.addAll(leaves(from, Math.min(size, from + page)));
  });
  const root = tree.root();
  store.close(); // the last connection closing folds the write-ahead log into the file
  const diskBytes = fileBytes(path);

  let frontierRoot: Buffer = Buffer.alloc(0);
  const frontierS = seconds(() => {
    const frontier = MerkleFrontier.empty();
    for (let from = 0; from < size; from += page) for (const leaf of leaves(from, Math.min(size, from + page))) frontier.add(leaf);
    frontierRoot = frontier.root();
  });
  if (!frontierRoot.equals(root)) throw new Error('the frontier and the stored tree disagree');

  const reopenedStore = SqliteMerkleNodeStore.open(path);
  const counting = new Counting(reopenedStore);
  let reopened!: MerkleTree;
  const reopenS = seconds(() => (reopened = new MerkleTree(counting)));
  const reopenReads = counting.reads;
  if (!reopened.root().equals(root)) throw new Error('the reopened tree has another root');

  const inclusion = [];
  const consistency = [];
  for (let p = 0; p < proofs; p++) {
    const leaf = random(size);
    const hash = leafHash(leafAt(leaf));
    let before = counting.reads;
    let proof!: ReturnType<MerkleTree['inclusionProof']>;
    const makeS = seconds(() => (proof = reopened.inclusionProof(leaf)));
    const reads = counting.reads - before;
    let problem: string | null = null;
    const verifyS = seconds(() => (problem = inclusionProofProblem(hash, proof, root)));
    if (problem) throw new Error(problem);
    inclusion.push({ hashes: proof.path.length, reads, makeS, verifyS });

    const from = 1 + random(size - 1);
    const fromRoot = reopened.root(from);
    before = counting.reads;
    let between!: ReturnType<MerkleTree['consistencyProof']>;
    const makeBetweenS = seconds(() => (between = reopened.consistencyProof(from)));
    const betweenReads = counting.reads - before;
    const verifyBetweenS = seconds(() => (problem = consistencyProofProblem(between, fromRoot, root)));
    if (problem) throw new Error(problem);
    consistency.push({ hashes: between.path.length, reads: betweenReads, makeS: makeBetweenS, verifyS: verifyBetweenS });
  }
  reopenedStore.close();

  return {
    size,
    appendSingle: { leaves: single, perSecond: single / singleS },
    appendPaged: { leaves: size, perSecond: size / pagedS },
    frontierPerSecond: size / frontierS,
    diskBytes,
    reopen: { ms: reopenS * 1000, reads: reopenReads },
    inclusion: proofFigures(inclusion),
    consistency: proofFigures(consistency),
  };
}

function main(): void {
  const results = sizes.map((size) => {
    process.stdout.write(`${size.toLocaleString('en-GB')} leaves… `);
    const figures = measure(size);
    console.log('done');
    return figures;
  });
  rmSync(folder, { recursive: true, force: true });

  const n = (value: number, digits = 0) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(`\nMerkle tree, nodes in SQLite (${process.version}, ${process.arch}), ${proofs} proofs of each kind per size`);
  console.log(
    '| leaves | append, one at a time (leaves/s) | append, pages of ' +
      n(page) +
      ' (leaves/s) | frontier only (leaves/s) | on disk (MB) | bytes per leaf | reopen (ms, nodes read) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${n(r.size)} | ${n(r.appendSingle.perSecond)} | ${n(r.appendPaged.perSecond)} | ${n(r.frontierPerSecond)} | ${n(r.diskBytes / 1e6, 1)} | ${n(r.diskBytes / r.size, 1)} | ${n(r.reopen.ms, 1)}, ${r.reopen.reads} |`,
    );
  console.log(
    '\n| leaves | proof | hashes (min–max, mean) | bytes (max) | nodes read (max, mean) | make, median (µs) | verify, median (µs) |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results)
    for (const [kind, f] of [
      ['inclusion', r.inclusion],
      ['consistency', r.consistency],
    ] as const)
      console.log(
        `| ${n(r.size)} | ${kind} | ${f.hashes.min}–${f.hashes.max}, ${n(f.hashes.mean, 1)} | ${f.hashes.max * 32} | ${f.reads.max}, ${n(f.reads.mean, 1)} | ${n(f.makeUs, 1)} | ${n(f.verifyUs, 1)} |`,
      );
}

main();
