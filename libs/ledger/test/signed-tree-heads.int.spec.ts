import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_STREAM, checkpointStatement, type Checkpoint, type ComplaintCommand } from '@complaint-ledger/domain';
import { SqliteEventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import { receiveCommand } from '../../domain/test/support/builders';
import {
  CheckpointSigningKey,
  CheckpointVerifyingKey,
  eventLeaf,
  inclusionProofProblem,
  consistencyProofProblem,
  leafHash,
  Ledger,
  LedgerChain,
  loadConfig,
  MemoryMerkleNodeStore,
  MerkleTree,
  readMark,
  verifyLedger,
  type VerifiedMark,
} from '../src';
import { signingKeyFile } from './support/signing-key';

/**
 * Checkpoints are signed tree heads (decision 0024): each signs, beside the ledger chain's head,
 * the root of the Merkle tree over the log it covers (statement v2), which verification recomputes;
 * checkpoints signed before the tree (v1) still verify; the verified mark carries the tree on; and
 * proofs made against a signed head verify against the tree computed here by hand.
 */
const root = mkdtempSync(join(tmpdir(), 'ledger-tree-heads-'));
const keyFile = signingKeyFile(root);
const key = CheckpointVerifyingKey.fromFile(keyFile);
const signing = CheckpointSigningKey.fromFile(keyFile);
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

function open(folder: string): Ledger {
  const config = loadConfig({
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_SIGNING_KEY_FILE: keyFile,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '4',
    LEDGER_RETENTION_YEARS: '0',
  });
  return Ledger.open(config, { role: 'worker', clock: () => '2024-06-03T10:00:00.000Z', loggers: () => quiet });
}

async function record(ledger: Ledger, complaints: number): Promise<void> {
  const send = (complaintId: string, command: ComplaintCommand) =>
    ledger.write.execute({ complaintId, command, actor: 'api-key:case-system', correlationId: randomUUID() });
  for (let n = 0; n < complaints; n++) {
    const complaintId = randomUUID();
    await send(complaintId, { ...receiveCommand(), data: { ...receiveCommand().data, complaintId } } as ComplaintCommand);
    await send(complaintId, {
      type: 'RecordCorrespondence',
      data: { occurredAt: '2024-05-03T10:00:00+01:00', direction: 'outbound', party: 'resident', channel: 'email', summary: 'Letter' },
    });
    await ledger.integrity.tick();
  }
}

/** The tree over the log, by hand: every event's leaf, in position order, into a tree of its own. */
function treeOf(events: readonly RecordedEvent[]): MerkleTree {
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  tree.addAll(events.map(eventLeaf));
  return tree;
}

async function logOf(folder: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
  try {
    return await store.readAll(-1, 1_000_000);
  } finally {
    await store.close();
  }
}

const checkpointsIn = (events: readonly RecordedEvent[]) =>
  events.filter((event) => event.type === 'LedgerCheckpointed').map((event) => event.data as Checkpoint);

describe('checkpoints signed now', () => {
  const folder = join(root, 'signed');
  beforeAll(async () => {
    mkdirSync(folder);
    const ledger = open(folder);
    await ledger.start();
    await ledger.verification;
    await record(ledger, 5);
    await ledger.close();
  });

  it('sign the root of the tree over exactly the events they cover (statement v2), as recomputed by hand', async () => {
    const events = await logOf(folder);
    const checkpoints = checkpointsIn(events);
    expect(checkpoints.length).toBeGreaterThan(1);
    const tree = treeOf(events);
    for (const checkpoint of checkpoints) {
      expect(checkpoint.treeSize).toBe(checkpoint.events);
      expect(checkpoint.root).toBe(tree.root(checkpoint.events).toString('hex'));
      expect(checkpointStatement(checkpoint)).toMatch(/^complaint-ledger checkpoint v2\n.*\ntree-size \d+\nroot [0-9a-f]{64}\n/s);
      expect(key.verifies(checkpoint)).toBe(true);
    }
  });

  it('carry the tree on in the verified mark (v2), so a start from it signs the same tree a whole verification would', async () => {
    const mark = JSON.parse(readFileSync(join(folder, 'verified-mark.json'), 'utf8')) as VerifiedMark;
    expect(mark.tree).toMatchObject({ size: mark.head.events, hashes: expect.any(Array) });
    const ledger = open(folder);
    await ledger.start();
    await ledger.verification;
    expect(ledger.integrity.scope).toBe('since-mark');
    await record(ledger, 3);
    await ledger.integrity.wholeLogPass;
    await ledger.close();
    const events = await logOf(folder);
    const tree = treeOf(events);
    for (const checkpoint of checkpointsIn(events)) expect(checkpoint.root).toBe(tree.root(checkpoint.events).toString('hex'));
    expect(
      (await verifyLedger((after, limit) => Promise.resolve(events.filter((e) => e.position > after).slice(0, limit)), { key })).valid,
    ).toBe(true);
  });

  it('a mark written before the tree is not used: the whole log is verified, and the tree built', async () => {
    const copy = join(root, 'old-mark');
    mkdirSync(copy);
    // the residents' keys with the log: a key an event names missing is the key file altered (decision 0023)
    for (const file of ['ledger.sqlite', 'ledger.sqlite-wal', 'keys.sqlite', 'keys.sqlite-wal'])
      if (existsSync(join(folder, file))) copyFileSync(join(folder, file), join(copy, file));
    const mark = JSON.parse(readFileSync(join(folder, 'verified-mark.json'), 'utf8')) as VerifiedMark;
    const { tree: _tree, keyId: _keyId, signature: _signature, ...v1 } = mark;
    const statement = `complaint-ledger verified-mark v1\n${JSON.stringify({ position: v1.position, checkpointEventHash: v1.checkpointEventHash, checkpointRevision: v1.checkpointRevision, head: v1.head, streams: v1.streams, checkpoints: v1.checkpoints, verifiedAt: v1.verifiedAt })}\n`;
    writeFileSync(join(copy, 'verified-mark.json'), JSON.stringify({ ...v1, ...signing.signStatement(statement) }));
    expect(readMark(join(copy, 'verified-mark.json'), key)).toEqual({ mark: null, why: expect.stringContaining('before the Merkle tree') });
    const ledger = open(copy);
    await ledger.start();
    await ledger.verification;
    expect(ledger.integrity.scope).toBe('whole-log');
    await ledger.close();
  });
});

describe('verification of signed tree heads', () => {
  /** A log of a few events, and a checkpoint appended over all of them, signed as `sign` makes it. */
  async function logWith(sign: (events: RecordedEvent[]) => Checkpoint): Promise<RecordedEvent[]> {
    const store = new SqliteEventStore(':memory:');
    for (let n = 0; n < 5; n++)
      await store.append(
        `complaint-${randomUUID()}`,
        [
          {
            eventId: randomUUID(),
            type: 'Noted',
            data: { n },
            metadata: { occurredAt: '2024-05-01T09:00:00.000Z', actor: 'test', correlationId: 'c', schemaVersion: 1 },
          },
        ],
        'no_stream',
      );
    const before = await store.readAll(-1, 100);
    const checkpoint = sign(before);
    await store.append(
      CHECKPOINT_STREAM,
      [
        {
          eventId: randomUUID(),
          type: 'LedgerCheckpointed',
          data: checkpoint,
          metadata: { occurredAt: checkpoint.at, actor: 'ledger:checkpointer', correlationId: 'c', schemaVersion: 1 },
        },
      ],
      'no_stream',
    );
    const events = await store.readAll(-1, 100);
    await store.close();
    return events;
  }
  const verify = (events: RecordedEvent[]) =>
    verifyLedger((after, limit) => Promise.resolve(events.filter((e) => e.position > after).slice(0, limit)), { key });

  it('a checkpoint signed before the tree (statement v1) still verifies', async () => {
    const events = await logWith((before) => {
      const last = before.at(-1)!;
      // the v1 head over these events, as the ledger signed them before the tree
      return signing.sign({ position: last.position, events: before.length, head: headSync(before) }, '2024-05-01T10:00:00.000Z');
    });
    const checkpoint = checkpointsIn(events)[0]!;
    expect(checkpoint.root).toBeUndefined();
    expect(checkpointStatement(checkpoint)).toMatch(/^complaint-ledger checkpoint v1\n/);
    expect(await verify(events)).toMatchObject({ valid: true, checkpoints: { found: 1, verified: 1 } });
  });

  it('a signed root that is not the tree over the log it covers is a mismatch, naming the tree', async () => {
    const events = await logWith((before) => {
      const last = before.at(-1)!;
      const wrongRoot = treeOf(before.slice(0, -1)).root().toString('hex'); // one event short
      return signing.sign({ position: last.position, events: before.length, head: headSync(before) }, '2024-05-01T10:00:00.000Z', {
        treeSize: before.length,
        root: wrongRoot,
      });
    });
    const verdict = await verify(events);
    expect(verdict.valid).toBe(false);
    expect(verdict.break).toMatchObject({ kind: 'checkpoint-mismatch', detail: expect.stringContaining('Merkle tree') });
  });

  it('the right root verifies', async () => {
    const events = await logWith((before) => {
      const last = before.at(-1)!;
      const rightRoot = treeOf(before).root().toString('hex');
      return signing.sign({ position: last.position, events: before.length, head: headSync(before) }, '2024-05-01T10:00:00.000Z', {
        treeSize: before.length,
        root: rightRoot,
      });
    });
    expect((await verify(events)).valid).toBe(true);
  });
});

describe('proofs against a signed tree head', () => {
  it('prove each event in it, and one head the start of a later one, against the tree computed by hand', async () => {
    const folder = join(root, 'proofs');
    mkdirSync(folder);
    const ledger = open(folder);
    await ledger.start();
    await ledger.verification;
    await record(ledger, 3);
    const heads = await ledger.evidence.proofs.signedHeads();
    await record(ledger, 3);
    await ledger.integrity.tick(true);
    const later = (await ledger.evidence.proofs.signedHeads()).at(-1)!;
    const earlier = heads.at(-1)!;
    const events = await ledger.store.readAll(-1, 10_000);
    const tree = treeOf(events);
    const covered = events.filter((event) => event.position <= later.position);
    const inclusions = await ledger.evidence.proofs.inclusions(covered, later);
    for (const [index, inclusion] of inclusions.entries()) {
      const proof = {
        leafIndex: inclusion.leafIndex,
        treeSize: inclusion.treeSize,
        path: inclusion.path.map((hash) => Buffer.from(hash, 'hex')),
      };
      expect(proof.leafIndex).toBe(index);
      expect(proof.path).toEqual(tree.inclusionProof(index, later.treeSize).path);
      expect(inclusionProofProblem(leafHash(eventLeaf(covered[index]!)), proof, tree.root(later.treeSize))).toBeNull();
    }
    const consistency = await ledger.evidence.proofs.consistency(earlier.treeSize, later.treeSize);
    const path = consistency.path.map((hash) => Buffer.from(hash, 'hex'));
    expect(path).toEqual(tree.consistencyProof(earlier.treeSize, later.treeSize).path);
    expect(
      consistencyProofProblem(
        { fromSize: earlier.treeSize, toSize: later.treeSize, path },
        tree.root(earlier.treeSize),
        tree.root(later.treeSize),
      ),
    ).toBeNull();
    await ledger.close();
  });
});

/** The ledger chain's head over `events`, as the ledger computes it. */
function headSync(events: readonly RecordedEvent[]): string {
  const chain = new LedgerChain();
  for (const event of events) chain.add(event);
  return chain.head.head;
}
