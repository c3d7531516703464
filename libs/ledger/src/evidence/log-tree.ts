import Database from 'better-sqlite3';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import { boundPageCache, preparePrivateFile } from '@complaint-ledger/event-store';
import { eventLeaf } from '../integrity/merkle/event-leaf';
import { MerkleTree } from '../integrity/merkle/merkle-tree';
import { SqliteMerkleNodeStore } from '../integrity/merkle/sqlite-node-store';
import type { ConsistencyProof, InclusionProof } from '../integrity/merkle/verify-proofs';

/** Reads the log in position order: the store's readAll. */
export type ReadLog = (afterPosition: number, limit: number) => Promise<RecordedEvent[]>;

interface Opened {
  readonly db: Database.Database;
  readonly nodes: SqliteMerkleNodeStore;
  tree: MerkleTree;
  readonly lastPosition: Database.Statement<[], number | null>;
  readonly leafAt: Database.Statement<[number], number>;
  readonly insert: Database.Statement<[number, number]>;
}

/**
 * The Merkle tree over the log (decision 0022) kept in a file of its own beside the log, from which
 * inclusion and consistency proofs are made: its complete subtrees, and each event's leaf index by
 * its position. Derived, not evidence: it is grown from the log when a proof needs it, and can be
 * deleted and grown again. A wrong node can only make a proof that fails against the signed root
 * (every proof is checked before it leaves the ledger), never a false one that passes. The file is
 * opened (made, readable by this service's user only) when a proof first needs it.
 */
export class LogTree {
  private opened: Opened | null = null;
  private growing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly read: ReadLog,
  ) {}

  private get file(): Opened {
    if (this.opened) return this.opened;
    preparePrivateFile(this.path);
    const db = new Database(this.path);
    if (this.path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // derived: a transaction lost to a power cut is grown again
      db.pragma('busy_timeout = 5000');
    }
    boundPageCache(db);
    const nodes = new SqliteMerkleNodeStore(db, 'merkle');
    db.exec('CREATE TABLE IF NOT EXISTS merkle_leaves (position INTEGER PRIMARY KEY, leaf INTEGER NOT NULL)');
    return (this.opened = {
      db,
      nodes,
      tree: new MerkleTree(nodes),
      lastPosition: db.prepare<[], number | null>('SELECT max(position) FROM merkle_leaves').pluck(),
      leafAt: db.prepare<[number], number>('SELECT leaf FROM merkle_leaves WHERE position = ?').pluck(),
      insert: db.prepare<[number, number]>('INSERT INTO merkle_leaves (position, leaf) VALUES (?, ?)'),
    });
  }

  get size(): number {
    return this.file.tree.size;
  }

  /** Grows the tree until it holds at least the log's first `size` events (one grower at a time). */
  growTo(size: number): Promise<void> {
    const grown = this.growing.then(() => this.grow(size));
    this.growing = grown.catch(() => undefined);
    return grown;
  }

  private async grow(size: number): Promise<void> {
    const file = this.file;
    while (file.tree.size < size) {
      const page = await this.read(file.lastPosition.get() ?? -1, 2_000);
      if (!page.length) throw new Error(`the log holds ${file.tree.size} events, not the ${size} asked for`);
      try {
        file.db.transaction(() => {
          const first = file.tree.size;
          file.tree.addAll(page.map(eventLeaf));
          page.forEach((event, offset) => file.insert.run(event.position, first + offset));
        })();
      } catch (error) {
        file.tree = new MerkleTree(file.nodes); // another process grew the file meanwhile: carry on from what it holds
        if (file.tree.size >= size) return;
        throw error;
      }
    }
  }

  /** The leaf index of the event at `position` (the number of events before it), once the tree has grown past it. */
  leafOf(position: number): number | null {
    return this.file.leafAt.get(position) ?? null;
  }

  root(size: number): Buffer {
    return this.file.tree.root(size);
  }

  inclusionProof(leafIndex: number, treeSize: number): InclusionProof {
    return this.file.tree.inclusionProof(leafIndex, treeSize);
  }

  consistencyProof(fromSize: number, toSize: number): ConsistencyProof {
    return this.file.tree.consistencyProof(fromSize, toSize);
  }

  close(): void {
    if (this.opened?.db.open) this.opened.db.close();
  }
}
