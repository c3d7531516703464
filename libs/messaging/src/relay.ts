import type { EventStore } from '@complaint-ledger/event-store';
import type { HomesByYear, ReadModelDatabase } from '@complaint-ledger/projections';
import { messagesOf } from './integration-events';
import type { MessagePublisher } from './publisher';
import { tracedBatch } from './relay-tracing';
import type { TopicNames } from './topics';
import { currentFigures, tsmSnapshotMessage } from './tsm-snapshots';

export interface RelayOptions {
  readonly store: EventStore;
  /** The read side's SQLite file: the relay's checkpoint lives here, and the TSM figures are read from it. */
  readonly db: ReadModelDatabase;
  readonly publisher: MessagePublisher;
  readonly topics: TopicNames;
  readonly homes: HomesByYear;
  readonly clock: () => string;
  /** The position the complaints read model has reached (TSM snapshots are taken as of it). */
  readonly projectionsPosition: () => number;
  /** Events per published batch. */
  readonly batchSize?: number;
  /** How long to wait for new events once caught up. */
  readonly idleMs?: number;
  /** The running relay looks at the TSM figures at most this often (they are whole-year queries). */
  readonly figuresIntervalMs?: number;
  /** False while the read models are known to disagree with the log (being rebuilt): no figures are published from them meanwhile. */
  readonly figuresServable?: () => boolean;
  /** Backoff after a failed publish: doubles from `initialBackoffMs` up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown, attempt: number, retryInMs: number) => void;
  readonly onRecovered?: () => void;
  /** The key actors' pseudonyms are made with (publishedActor): derived from the master key, the same in every replica. */
  readonly actorKey?: Buffer;
  /** Told when the position kept in the read models' file belongs to another log, and publishing starts this log afresh. */
  readonly onNotice?: (message: string) => void;
  /** After the broker acknowledged a batch: how many events it held (for the relay's metrics). */
  readonly onPublished?: (events: number) => void;
  /**
   * Where the position is kept so every process that may take over the relay sees it (the duties'
   * lease, libs/ledger/src/duties): read when this process starts publishing, written after each
   * batch the broker acknowledged. Without it, in the read models' file, as before (and a position
   * found only there is where a shared one starts).
   */
  readonly checkpoint?: {
    load(destination: string): Promise<number | null>;
    /** `rewind`: the position moves back on purpose (republishing); otherwise a save never carries it back. */
    save(destination: string, position: number, rewind?: boolean): Promise<void>;
  };
  /** Whether this process may publish now (it holds the duties' lease); checked before every batch. */
  readonly mayPublish?: () => boolean;
  /** The last log position that may be published (the ledger's verification has passed it); none after it. */
  readonly publishableThrough?: () => number;
}

/** What readiness reports about the relay. */
export interface RelayStatus {
  readonly status: 'publishing' | 'backing-off' | 'stopped';
  /** The log position up to which the broker has acknowledged every event. */
  readonly position: number;
  /** Events read and not yet acknowledged (at least this many wait). */
  readonly pendingEvents: number;
  /** Seconds since the oldest waiting event was recorded (0 when none wait). */
  readonly lagSeconds: number;
  readonly failures: number;
  readonly lastError: string | null;
}

/**
 * Follows the event log from its checkpoint and publishes each event to the events topic (alerts
 * to the breaches topic too), then the TSM snapshots that changed. The checkpoint advances only
 * after the broker has acknowledged the batch, so a crash or an outage loses nothing: the batch
 * is published again (at-least-once; consumers drop duplicates by event id). While the broker is
 * down the relay backs off and keeps trying on its own.
 */
export class EventRelay {
  private position: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private lastError: string | null = null;
  private waiting: { count: number; oldestRecordedAt: string | null } = { count: 0, oldestRecordedAt: null };
  private tsmCheckedAt = -2;
  private figuresLookedAt = 0;
  private readonly checkpointName: string;
  /** Whether the position from the read models' file was checked against this log (checkLocalPosition). */
  private localChecked = false;
  /** Where the shared checkpoint keeps the read-model position the last TSM snapshots were taken at, by any holder. */
  private readonly figuresCheckpointName: string;
  private readonly statements;

  constructor(private readonly options: RelayOptions) {
    const { db } = options;
    db.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS relay_tsm_published (topic TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL,
               PRIMARY KEY (topic, key))`);
    // the last event published's hash beside its position: a file kept from another log is told by it (decision 0021)
    const columns = db.prepare("SELECT name FROM pragma_table_info('relay_checkpoints')").pluck().all() as string[];
    if (!columns.includes('hash')) db.exec('ALTER TABLE relay_checkpoints ADD COLUMN hash TEXT');
    // one checkpoint per destination: pointing the relay at other topics publishes the log afresh
    this.checkpointName = `kafka:${options.topics.events}`;
    this.figuresCheckpointName = `kafka:${options.topics.tsm}:as-of`;
    this.statements = {
      load: db.prepare('SELECT position FROM relay_checkpoints WHERE name = ?').pluck(),
      hashAt: db.prepare('SELECT hash FROM relay_checkpoints WHERE name = ?').pluck(),
      save: db.prepare(
        'INSERT INTO relay_checkpoints (name, position, hash) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, hash = excluded.hash',
      ),
      published: db.prepare('SELECT key, digest FROM relay_tsm_published WHERE topic = ?'),
      remember: db.prepare(
        'INSERT INTO relay_tsm_published (topic, key, digest) VALUES (?, ?, ?) ON CONFLICT (topic, key) DO UPDATE SET digest = excluded.digest',
      ),
      forgetPublished: db.prepare('DELETE FROM relay_tsm_published WHERE topic = ?'),
    };
    this.position = (this.statements.load.get(this.checkpointName) as number | undefined) ?? -1;
  }

  /**
   * Publishes the log again from just after `afterPosition` (-1: from the start), for a consumer
   * that lost its copy or joined late: the checkpoint moves back, and the next round sends
   * everything after it again (consumers drop what they already have by `eventId`). Run it in the
   * process holding the duties' lease (`npm run relay:republish`, with the worker stopped).
   */
  async republishFrom(afterPosition: number): Promise<void> {
    await this.resume();
    this.position = Math.min(afterPosition, this.position);
    this.statements.save.run(this.checkpointName, this.position, null);
    await this.options.checkpoint?.save(this.checkpointName, this.position, true);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in progress, and closes the publisher. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.options.publisher.close();
  }

  status(): RelayStatus {
    const oldest = this.waiting.oldestRecordedAt;
    return {
      status: !this.running ? 'stopped' : this.failures ? 'backing-off' : 'publishing',
      position: this.position,
      pendingEvents: this.waiting.count,
      lagSeconds: oldest ? Math.max(0, Math.round((Date.parse(this.options.clock()) - Date.parse(oldest)) / 1000)) : 0,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  /**
   * One round: publishes what the log holds after the checkpoint (in batches) and the TSM
   * snapshots that changed. Resolves with the number of events published; rejects, with the
   * checkpoint where the last acknowledged batch left it, if the broker fails.
   */
  async publishPending(options: { figures: boolean } = { figures: true }): Promise<number> {
    if (!this.localChecked) await this.resume(); // before the first read: the position must be this log's
    const batchSize = this.options.batchSize ?? 500;
    let published = 0;
    for (;;) {
      if (this.options.mayPublish && !this.options.mayPublish()) return published; // another process holds the relay now
      const read = await this.options.store.readAll(this.position, batchSize);
      const through = this.options.publishableThrough?.() ?? Infinity;
      const page = read.length && read.at(-1)!.position > through ? read.filter((event) => event.position <= through) : read;
      this.waiting = { count: page.length, oldestRecordedAt: page[0]?.metadata.recordedAt ?? null };
      if (page.length) {
        const batch = tracedBatch(page, (event) => messagesOf(event, this.options.topics, this.options.actorKey));
        await this.options.publisher.publish(batch.messages).then(
          () => batch.end(),
          (error: unknown) => {
            batch.end(error);
            throw error;
          },
        );
        this.position = page.at(-1)!.position;
        this.statements.save.run(this.checkpointName, this.position, page.at(-1)!.metadata.hash);
        await this.options.checkpoint?.save(this.checkpointName, this.position);
        published += page.length;
        this.options.onPublished?.(page.length);
        this.waiting = { count: 0, oldestRecordedAt: null };
      }
      if (read.length < batchSize || page.length < read.length) break; // the end of the log, or of what was verified
    }
    if (options.figures) await this.publishChangedFigures();
    return published;
  }

  private async publishChangedFigures(): Promise<void> {
    const asOf = this.options.projectionsPosition();
    if (asOf === this.tsmCheckedAt || this.options.figuresServable?.() === false) return;
    // a snapshot older than one on the topic is dropped by consumers (by asOfPosition): figures are published only from a read
    // model that has caught up with the last snapshot any holder published (after a failover to one a moment behind, what it
    // published was dropped, and what it remembered having published kept it from publishing the figures again)
    const floor = (await this.options.checkpoint?.load(this.figuresCheckpointName)) ?? -1;
    if (asOf < floor) return;
    const topic = this.options.topics.tsm;
    const published = new Map((this.statements.published.all(topic) as { key: string; digest: string }[]).map((r) => [r.key, r.digest]));
    // years published before are figured again too: one no longer counted (its only complaint not accepted) is published as such
    const yearsPublished = [...published.keys()].map((key) => Number(key.split(':')[0]));
    const changed = currentFigures(this.options.db, this.options.homes, yearsPublished).filter(
      (figures) => published.get(figures.key) !== figures.digest,
    );
    if (changed.length) {
      const takenAt = this.options.clock();
      await this.options.publisher.publish(changed.map((figures) => tsmSnapshotMessage(topic, figures, asOf, takenAt)));
      this.options.db.transaction(() => changed.forEach((figures) => this.statements.remember.run(topic, figures.key, figures.digest)))();
      await this.options.checkpoint?.save(this.figuresCheckpointName, asOf);
    }
    this.tsmCheckedAt = asOf;
  }

  private async run(): Promise<void> {
    const idleMs = this.options.idleMs ?? 250;
    let allowed = false;
    while (this.running) {
      if (this.options.mayPublish && !this.options.mayPublish()) {
        allowed = false;
        await this.sleep(idleMs);
        continue;
      }
      try {
        // allowed again (or first), or the lease lost and won back within one wait (a backoff spans a lease): another
        // holder may have published meanwhile; with a shared position it is read before every round, and resumed from
        if (!allowed || this.options.checkpoint) await this.resume();
        allowed = true;
        const figures = Date.now() - this.figuresLookedAt >= (this.options.figuresIntervalMs ?? 2000);
        await this.publishPending({ figures });
        if (figures) this.figuresLookedAt = Date.now();
        if (this.failures) this.options.onRecovered?.();
        this.failures = 0;
        this.lastError = null;
        await this.sleep(idleMs);
      } catch (error) {
        this.failures += 1;
        this.lastError = (error as Error).message;
        const initial = this.options.initialBackoffMs ?? 500;
        const retryInMs = Math.min(this.options.maxBackoffMs ?? 30_000, initial * 2 ** (this.failures - 1));
        this.options.onError?.(error, this.failures, retryInMs);
        await this.sleep(retryInMs);
      }
    }
  }

  /** The position every process sees, if kept; the one in the read models' file when the shared one has none yet. */
  private async resume(): Promise<void> {
    const shared = await this.options.checkpoint?.load(this.checkpointName);
    if (shared === undefined || shared === null) return this.checkLocalPosition();
    this.localChecked = true; // a position every process sees is this log's: the store keeps it
    if (shared === this.position) return;
    // another holder published meanwhile, TSM snapshots too: what this process remembers having published may be stale
    this.position = shared;
    this.statements.forgetPublished.run(this.options.topics.tsm);
  }

  /**
   * The position kept in the read models' file, before it is first published from: the event there
   * must be this log's, with the hash noted. A file kept from another log (a new server, a restore)
   * held that log's position: read from, it failed every round, or, where this log happened to
   * have a record there too, passed over this log's events before it. Then this log is published
   * from its start (consumers drop what they have by `eventId`).
   */
  private async checkLocalPosition(): Promise<void> {
    if (this.localChecked) return;
    if (this.position < 0) {
      this.localChecked = true; // nothing published yet: nothing to check
      return;
    }
    const hash = this.statements.hashAt.get(this.checkpointName) as string | null | undefined;
    const there = await this.options.store.readAt(this.position);
    this.localChecked = true;
    if (there && (!hash || there.metadata.hash === hash)) return;
    this.options.onNotice?.(
      `the relay's position ${this.position}, kept in the read models' file, is not this log's (${there ? 'another event is there' : 'no event is there'}): publishing this log from its start`,
    );
    this.position = -1;
    this.statements.save.run(this.checkpointName, -1, null);
    this.statements.forgetPublished.run(this.options.topics.tsm);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
