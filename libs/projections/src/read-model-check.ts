import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { AnyProjection } from './projection';
import { openReadModelDatabase, tableOf, type ReadModelDatabase } from './read-model-database';
import { readModelProjections } from './read-model-projections';
import { ProjectionRunner } from './runner';

/** What a check of the read models against the log found, at the log position both stood at. */
export interface ReadModelComparison {
  /** The log position the read models were compared at (-1: before the first event). */
  readonly position: number;
  /** The read models whose rows differ from what replaying the log gives, by name. */
  readonly mismatched: readonly string[];
  /** Read models written by another version of their projection: not compared (a start rebuilds them). */
  readonly otherVersion: readonly string[];
}

export interface ReadModelCheckOptions {
  /** Reads the log (the store's readAll). */
  readonly readAll: (afterPosition: number, limit: number) => Promise<RecordedEvent[]>;
  /** The read models as they are kept (the live file, or a read-only copy). */
  readonly live: ReadModelDatabase;
  readonly rules: ComplianceRules;
  readonly alerts: AlertSettings;
  /** Where to rebuild (a scratch file, removed after; `:memory:` for a small or throwaway read side). */
  readonly scratchPath: string;
  /**
   * The read models are a running service's, whose start rebuilt any written by another version of
   * its projection: one found of another version now had its checkpoint altered, and is mismatched.
   */
  readonly running?: boolean;
  /** Waits until the live read models have reached a position (they follow the log meanwhile); absent for a stopped copy. */
  readonly waitFor?: (position: number) => Promise<void>;
  /** Events applied per batch of the rebuild, between which others get the thread. */
  readonly batchSize?: number;
  /** Complaint documents the scratch rebuild keeps parsed (the runner's cache); less memory, more reads. */
  readonly cachedDocuments?: number;
  /** Abandons the check between batches (the service is stopping): it throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Rebuilds the read models from the log into a scratch file and compares them, row by row (a
 * digest of each read model's rows in key order), with the live ones at the same log position
 * (decision 0023): read models are disposable caches of the log (docs/architecture.md, principle
 * 6), so any difference is a read model that was altered, or damaged, behind the projections.
 */
export async function compareReadModelsWithTheLog(options: ReadModelCheckOptions): Promise<ReadModelComparison> {
  const projections = readModelProjections(options.rules, options.alerts);
  removeCheckScratch(options.scratchPath); // one a check stopped midway left (a crash) is not carried on from
  const scratch = openReadModelDatabase(options.scratchPath);
  try {
    // the scratch runner is only ever given events (replayUpTo): it never follows the log itself
    const given = {
      readAll: options.readAll,
      readAt: () => {
        throw new Error('a read-model check replays the log from nothing: it has no earlier log to check');
      },
      subscribe: () => {
        throw new Error('a read-model check replays the log, it does not follow it');
      },
    };
    const runner = new ProjectionRunner(given, scratch, projections, { cachedDocuments: options.cachedDocuments });
    const otherVersion = projections.filter((projection) => liveVersion(options.live, projection) !== projection.version);
    const compared = projections.filter((projection) => !otherVersion.includes(projection));
    for (let attempt = 0; attempt < 50; attempt++) {
      const target = livePosition(options.live);
      await replayUpTo(runner, options, target);
      if (runner.position > target) {
        // the scratch passed a position the live read models have not reached yet: they follow the log, so wait for them
        await options.waitFor?.(runner.position);
        if (!options.waitFor) break;
        continue;
      }
      const live = digestsAt(options.live, compared, runner.position);
      if (!live) continue; // the live read models moved on meanwhile: the scratch follows them
      const rebuilt = digestsAt(scratch, compared, runner.position)!;
      const mismatched = projections
        .filter((projection) =>
          otherVersion.includes(projection) ? options.running : live.get(projection.name) !== rebuilt.get(projection.name),
        )
        .map((projection) => projection.name);
      const notCompared = options.running ? [] : otherVersion.map((projection) => projection.name);
      return { position: runner.position, mismatched, otherVersion: notCompared };
    }
    throw new Error('the read models kept moving ahead of the comparison; it is tried again at the next check');
  } finally {
    scratch.close();
    removeCheckScratch(options.scratchPath);
  }
}

/** Removes a check's scratch copy of the read models (and its WAL), as large as the read models themselves. */
export function removeCheckScratch(path: string): void {
  if (path !== ':memory:') for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** Applies the log to the scratch read models up to `target` (inclusive), a batch at a time, letting the thread go between. */
async function replayUpTo(runner: ProjectionRunner, options: ReadModelCheckOptions, target: number): Promise<void> {
  const batch = options.batchSize ?? 500;
  while (runner.position < target) {
    options.signal?.throwIfAborted();
    const page = (await options.readAll(runner.position, batch)).filter((event) => event.position <= target);
    if (!page.length) return;
    runner.apply(page);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Waits (up to a minute, or until `signal` aborts) until the read models in `db` have all reached
 * `position`, as their file says: they follow the log while a check reads them.
 */
export async function readModelsReach(db: ReadModelDatabase, position: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + 60_000;
  while (livePosition(db) < position && Date.now() < until && !signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The position the live read models have all reached, as their file says. */
function livePosition(db: ReadModelDatabase): number {
  return (db.prepare('SELECT MIN(position) FROM projection_checkpoints').pluck().get() as number | null) ?? -1;
}

function liveVersion(db: ReadModelDatabase, projection: AnyProjection): string | undefined {
  return db.prepare('SELECT version FROM projection_checkpoints WHERE name = ?').pluck().get(projection.name) as string | undefined;
}

/**
 * Each read model's digest, read in one transaction so that the position and the rows are of one
 * moment; null when the file is no longer at `position` (its projections applied more meanwhile).
 */
function digestsAt(db: ReadModelDatabase, projections: readonly AnyProjection[], position: number): Map<string, string> | null {
  return db.transaction(() => {
    if (livePosition(db) !== position) return null;
    return new Map(projections.map((projection) => [projection.name, digestOf(db, projection)]));
  })();
}

function digestOf(db: ReadModelDatabase, projection: AnyProjection): string {
  const hash = createHash('sha256');
  const rows = db.prepare(`SELECT * FROM ${tableOf(projection)} ORDER BY key`).iterate() as Iterable<Record<string, unknown>>;
  for (const row of rows) hash.update(`${JSON.stringify(row)}\n`);
  // the history by record time answers `knownAt`, and the TSM figures and annual report as known then: compared as well
  if (projection.history) {
    hash.update('versions\n');
    const versions = db.prepare(`SELECT * FROM ${tableOf(projection)}_versions ORDER BY key, known_from`).iterate();
    for (const row of versions as Iterable<Record<string, unknown>>) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}
