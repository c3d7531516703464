import { fsyncSync } from 'node:fs';
import { StoreUnavailable } from '../port';

/**
 * Another file the log's commits depend on: the residents' data keys, since an event must never
 * name a key that a crash could lose. Before each batch goes to be committed, `prepare` writes what
 * the file has pending and says whether it has writes not yet on disk; if so, the thread that
 * commits fsyncs the file first (one fsync per batch, on the writer thread, not the one serving
 * requests), and `synced` is told once the batch has committed. `syncFailed` hears when that fsync
 * failed: the batch then fails and commits nothing.
 */
export interface CommitDependency {
  /** The file to fsync (for a SQLite file in WAL mode, its -wal file). */
  readonly path: string;
  /** Writes what is pending (throwing fails the batch); a mark to pass to `synced` when the file needs an fsync, else null. */
  prepare(): number | null;
  synced(mark: number): void;
  syncFailed(error: StoreUnavailable): void;
}

/** The dependency's fsync failed before the batch committed: nothing of the batch was written, and the dependency refuses more. */
export class DependencyNotSynced extends StoreUnavailable {
  constructor(message: string, cause?: unknown) {
    super(message, cause, true);
    this.name = 'DependencyNotSynced';
  }
}

/** fsyncs a commit dependency's file, by an fd opened when the dependency was added (so that it hears of any write-back error since). */
export function syncDependency(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    throw new DependencyNotSynced(`a file the log's commits depend on could not be synced: ${(error as Error).message}`, error);
  }
}
