import { lockHolderOf, realPathOf, tryExclusiveLock, type HeldLock, type LockHolder } from '@complaint-ledger/event-store';

/** Another process keeps these read models: a second one would apply every event again beside it. */
export class ReadModelInUse extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockHolder | null,
  ) {
    super(
      `the read models at ${path} are kept by another process` +
        (owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}: ${owner.command})` : '') +
        '; give each process that keeps read models a file of its own (LEDGER_PROJECTIONS_PATH), or stop the other first',
    );
    this.name = 'ReadModelInUse';
  }
}

/**
 * One process at a time keeps a read-model file. Two applying the same log to one file would each
 * fold every event into the documents the other already folded it into (`evolve` counts, it is
 * not idempotent), and their counts would stay doubled across restarts. The claim is an exclusive
 * lock (tryExclusiveLock) on a small file beside the read models, `<file>-owner`, for as long as
 * the process keeps them; who holds it is noted in `<file>-owner.json`.
 */
export class ReadModelOwnership {
  private constructor(private readonly lock: HeldLock | null) {}

  static claim(path: string): ReadModelOwnership {
    if (path === ':memory:' || path === '') return new ReadModelOwnership(null);
    // the read models' real name: another name for the same file (a symbolic link) meets the same lock
    const lockPath = `${realPathOf(path)}-owner`;
    const lock = tryExclusiveLock(lockPath);
    if (!lock) throw new ReadModelInUse(path, lockHolderOf(lockPath));
    return new ReadModelOwnership(lock);
  }

  release(): void {
    this.lock?.release();
  }
}
