import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { madeAt, MemoryMerkleNodeStore, MerkleFrontier, MerkleTree, SqliteMerkleNodeStore, type MerkleNodeStore } from '../../src';

const folder = mkdtempSync(join(tmpdir(), 'ledger-merkle-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LEAVES = Array.from({ length: 100 }, (_, i) => Buffer.from(`event ${i}`));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Every root, inclusion proof and consistency proof of a tree, up to its size, as text to compare. */
function everything(tree: MerkleTree): string[] {
  const out: string[] = [];
  for (let size = 0; size <= tree.size; size++) {
    out.push(`root ${size} ${hex(tree.root(size))}`);
    for (let leaf = 0; leaf < size; leaf++) out.push(`leaf ${leaf} of ${size}: ${tree.inclusionProof(leaf, size).path.map(hex).join(' ')}`);
    for (let from = 0; from <= size; from++) out.push(`${from} to ${size}: ${tree.consistencyProof(from, size).path.map(hex).join(' ')}`);
  }
  return out;
}

function inMemory(count: number): MerkleTree {
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  tree.addAll(LEAVES.slice(0, count));
  return tree;
}

describe('the SQLite node store, in a file of its own', () => {
  const path = join(folder, 'tree.sqlite');

  it('gives, after a reopen, the same roots and proofs as the tree in memory, and carries on growing from there', () => {
    const first = SqliteMerkleNodeStore.open(path);
    const tree = new MerkleTree(first);
    for (let i = 0; i < 70; i += 7) tree.addAll(LEAVES.slice(i, i + 7)); // a page at a time, as the log is read
    first.close();

    const again = SqliteMerkleNodeStore.open(path);
    const reopened = new MerkleTree(again);
    expect(reopened.size).toBe(70);
    expect(everything(reopened)).toEqual(everything(inMemory(70)));
    for (const leaf of LEAVES.slice(70)) reopened.add(leaf);
    expect(everything(reopened)).toEqual(everything(inMemory(100)));
    again.close();
  });
});

/** Two writers on one store: the same object in memory, two connections to one file in SQLite. */
describe.each([
  { name: 'in memory', open: (): MerkleNodeStore[] => Array(2).fill(new MemoryMerkleNodeStore()) },
  {
    name: 'in SQLite',
    open: (): MerkleNodeStore[] => {
      const path = join(folder, 'two-writers.sqlite');
      return [SqliteMerkleNodeStore.open(path), SqliteMerkleNodeStore.open(path)];
    },
  },
])('a node store $name', ({ open }) => {
  it('refuses a second writer that grows from a size the store has moved past, and leaves both as they were', () => {
    const [a, b] = open() as [MerkleNodeStore, MerkleNodeStore];
    const [first, second] = [new MerkleTree(a), new MerkleTree(b)];
    first.addAll(LEAVES.slice(0, 5));
    expect(() => second.add(LEAVES[0]!)).toThrow(/the tree holds 5 leaves, not 0: another writer grew it/);
    expect([second.size, hex(second.root())]).toEqual([0, hex(inMemory(0).root())]);
    expect(everything(new MerkleTree(b))).toEqual(everything(inMemory(5)));
  });
});

describe('the SQLite node store, in a connection given', () => {
  it('keeps its tables beside others, under its own name, and carries on after the connection is opened again', () => {
    const path = join(folder, 'shared.sqlite');
    let db = new Database(path);
    db.exec('CREATE TABLE other (x INTEGER)');
    const [events, checkpoints] = [
      new MerkleTree(new SqliteMerkleNodeStore(db, 'events_tree')),
      new MerkleTree(new SqliteMerkleNodeStore(db)),
    ];
    events.addAll(LEAVES.slice(0, 30));
    checkpoints.addAll(LEAVES.slice(0, 3));
    db.close();

    db = new Database(path);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['events_tree_nodes', 'events_tree_size', 'merkle_nodes', 'merkle_size', 'other']);
    expect(everything(new MerkleTree(new SqliteMerkleNodeStore(db, 'events_tree')))).toEqual(everything(inMemory(30)));
    expect(everything(new MerkleTree(new SqliteMerkleNodeStore(db)))).toEqual(everything(inMemory(3)));
    db.close();
  });

  it('refuses a name that is not a plain table name', () => {
    const db = new Database(':memory:');
    expect(() => new SqliteMerkleNodeStore(db, 'x; DROP TABLE y')).toThrow(/cannot name a table/);
    db.close();
  });

  it('grows all or nothing: a write that fails part-way leaves the size and the nodes as they were', () => {
    const db = new Database(':memory:');
    const store = new SqliteMerkleNodeStore(db);
    const tree = new MerkleTree(store);
    tree.addAll(LEAVES.slice(0, 2));
    db.prepare('INSERT INTO merkle_nodes (made, hash) VALUES (?, ?)').run(madeAt(1, 1), Buffer.alloc(32)); // in the way of the third node
    expect(() => tree.addAll(LEAVES.slice(2, 4))).toThrow(/UNIQUE/);
    expect([store.size(), tree.size]).toEqual([2, 2]);
    expect(db.prepare('SELECT made FROM merkle_nodes ORDER BY made').pluck().all()).toEqual([0, 1, 2, madeAt(1, 1)]);
    db.close();
  });

  it('names a node it lacks', () => {
    const db = new Database(':memory:');
    new MerkleTree(new SqliteMerkleNodeStore(db)).addAll(LEAVES.slice(0, 6));
    db.prepare('DELETE FROM merkle_nodes WHERE made = ?').run(madeAt(1, 2));
    expect(() => new MerkleTree(new SqliteMerkleNodeStore(db))).toThrow(/no node \(1, 2\) in a tree of 6 leaves/);
    db.close();
  });
});

describe('the order nodes are stored in', () => {
  it('numbers every node 0, 1, 2, … in the order the tree makes them, so each insert lands at the end of the table', () => {
    const frontier = MerkleFrontier.empty();
    const numbers: number[] = [];
    for (const leaf of Array.from({ length: 5000 }, (_, i) => Buffer.from(`${i}`)))
      for (const { level, index } of frontier.add(leaf)) numbers.push(madeAt(level, index));
    expect(numbers).toEqual([...numbers.keys()]);
  });
});
