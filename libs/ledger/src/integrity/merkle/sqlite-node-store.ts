import Database from 'better-sqlite3';
import { boundPageCache } from '@complaint-ledger/event-store';
import type { MerkleNode } from './frontier';
import type { MerkleNodeStore } from './node-store';

/**
 * A tree's nodes in SQLite: in a file of their own (`SqliteMerkleNodeStore.open`) or as two tables
 * in a connection given (`<name>_nodes`, `<name>_size`). Opened again, it carries on where it
 * stood: the size and the frontier are read back, nothing is rebuilt.
 *
 * Each node's row id is its place in the order nodes are made (a leaf, then the subtrees it
 * completes), so every insert lands at the end of the table's B-tree and its pages stay full:
 * about 2n rows of 32 bytes for n leaves.
 */
export class SqliteMerkleNodeStore implements MerkleNodeStore {
  private readonly statements: {
    readonly size: Database.Statement<[], number>;
    readonly node: Database.Statement<[number], Buffer>;
    readonly insert: Database.Statement<[number, Buffer]>;
    readonly move: Database.Statement<[number, number]>;
  };
  private readonly growAtomically: (fromSize: number, toSize: number, nodes: readonly MerkleNode[]) => void;
  private ownsConnection = false;

  /** In a connection the caller opened (and closes); `name` prefixes the two tables. */
  constructor(
    private readonly db: Database.Database,
    name = 'merkle',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`"${name}" cannot name a table`);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${name}_nodes (made INTEGER PRIMARY KEY, hash BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS ${name}_size (one INTEGER PRIMARY KEY CHECK (one = 1), leaves INTEGER NOT NULL);
      INSERT OR IGNORE INTO ${name}_size (one, leaves) VALUES (1, 0);`);
    this.statements = {
      size: db.prepare<[], number>(`SELECT leaves FROM ${name}_size`).pluck(),
      node: db.prepare<[number], Buffer>(`SELECT hash FROM ${name}_nodes WHERE made = ?`).pluck(),
      insert: db.prepare<[number, Buffer]>(`INSERT INTO ${name}_nodes (made, hash) VALUES (?, ?)`),
      move: db.prepare<[number, number]>(`UPDATE ${name}_size SET leaves = ? WHERE leaves = ?`),
    };
    this.growAtomically = db.transaction((fromSize: number, toSize: number, nodes: readonly MerkleNode[]) => {
      if (this.statements.move.run(toSize, fromSize).changes !== 1)
        throw new Error(`the tree holds ${this.size()} leaves, not ${fromSize}: another writer grew it`);
      for (const { level, index, hash } of nodes) this.statements.insert.run(madeAt(level, index), hash);
    });
  }

  /**
   * A file of its own. Write-ahead logged and synced at checkpoints only: the tree is derived from
   * the log and can be built again from it, and a transaction lost to a power cut leaves an
   * earlier size with all its nodes, never a size without them.
   */
  static open(path: string): SqliteMerkleNodeStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    boundPageCache(db);
    const store = new SqliteMerkleNodeStore(db);
    store.ownsConnection = true;
    return store;
  }

  size(): number {
    return this.statements.size.get()!;
  }

  node(level: number, index: number): Buffer {
    const hash = this.statements.node.get(madeAt(level, index));
    if (!hash) throw new RangeError(`no node (${level}, ${index}) in a tree of ${this.size()} leaves`);
    return hash;
  }

  grow(fromSize: number, toSize: number, nodes: readonly MerkleNode[]): void {
    this.growAtomically(fromSize, toSize, nodes);
  }

  /** Closes the file `open` opened; a connection given is the caller's to close. */
  close(): void {
    if (this.ownsConnection) this.db.close();
  }
}

/**
 * How many nodes are made before the node (level, index). It is made when leaf m − 1 is added,
 * m = (index + 1)·2^level, after that leaf and the subtrees it completes at levels 1 to level − 1;
 * before that leaf, the tree of m − 1 leaves had 2(m − 1) − popcount(m − 1) nodes.
 */
export function madeAt(level: number, index: number): number {
  const before = (index + 1) * 2 ** level - 1;
  return 2 * before - popcount(before) + level;
}

function popcount(n: number): number {
  let count = 0;
  for (; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}
