import { assess, complaintEventOf, foldEvents, type ComplianceRules, type State } from '@complaint-ledger/domain';
import { complaintStream, type EventStore, type Provenance, type RecordedEvent } from '@complaint-ledger/event-store';
import type { Clock } from '../clock';
import { CommandRefused, IdempotencyKeyReused } from '../write/refusals';
import type { CommandOutcome, CommandRequest, SeriesOutcome, WritePath } from '../write/write-path';
import type { BreachFound, ImportJournal, PendingRow, Verdict } from './journal';
import type { ImportProgress } from './progress';
import { MALFORMED_ROW, type RefusedRow, type RowReader, type SourceRecord } from './rows';
import type { MalformedRecord } from './source';

/** A fact this import (or an earlier one) already recorded: skipped, naming where it came from. */
export const ALREADY_RECORDED = 'IMPORT.ALREADY_RECORDED';

const STAGE_BATCH = 2_000;
/** A complaint's verdicts wait for others' to share a transaction, up to this many rows or this long. */
const FLUSH_ROWS = 2_000;
const FLUSH_MS = 250;

/** Reads the file's rows into the journal, each made into its command or refused (rows.ts), a batch per transaction. */
export async function stage(
  journal: ImportJournal,
  records: AsyncIterable<SourceRecord | MalformedRecord>,
  reader: RowReader,
  progress: ImportProgress,
): Promise<number> {
  let batch: Parameters<ImportJournal['stage']>[0][number][] = [];
  let rows = 0;
  const flush = () => {
    journal.stage(batch);
    for (const row of batch) if ('refused' in row) progress.count('refused');
    progress.staged += batch.length;
    batch = [];
  };
  for await (const record of records) {
    rows++;
    batch.push('malformed' in record ? malformed(record) : reader.read(record));
    if (batch.length >= STAGE_BATCH) {
      flush();
      await new Promise((resolve) => setImmediate(resolve)); // progress can be asked for meanwhile
    }
  }
  flush();
  return rows;
}

const malformed = (record: MalformedRecord): RefusedRow => ({
  row: record.row,
  refused: { rule: MALFORMED_ROW, message: record.malformed },
});

/** Who decides the rows and where a complaint's history is read back from (the ledger's, or a dry run's). */
export interface DecidingDependencies {
  readonly write: Pick<WritePath, 'execute' | 'executeSeries' | 'judge'>;
  readonly read: Pick<EventStore, 'readStream'>;
  readonly rules: ComplianceRules;
  readonly clock: Clock;
  /** A complaint's rows are all decided (a dry run lets go of its copy). */
  readonly done?: (streamId: string) => void;
  /**
   * Settles once the ledger's start-up verification has run: rows are decided after it, as a stream
   * holding no MAC is not decided on before (decision 0023); the file is read and staged meanwhile.
   */
  readonly verified?: () => Promise<unknown>;
}

export interface ImportIdentity {
  readonly importId: string;
  readonly sourceSha256: string;
  readonly actor: string;
  /** Complaints decided at once (rows of one complaint always in turn). */
  readonly concurrency: number;
}

/**
 * Decides every staged row through the write path, as a live command is decided: complaints side
 * by side (`concurrency` at once), each complaint's rows in its order, one after another. Each
 * row's retry key names its fact, so a fact already recorded (by an earlier run of the file, by an
 * interrupted run, by another file) is recognised and not recorded again. Once a complaint's rows
 * are decided, its deadlines are judged from its history as it now stands, and its verdicts and
 * breaches go to the journal together.
 */
export async function decideRows(
  journal: ImportJournal,
  deps: DecidingDependencies,
  identity: ImportIdentity,
  progress: ImportProgress,
  stopped: () => boolean = () => false,
): Promise<void> {
  await deps.verified?.();
  const complaints = journal.complaintsToDecide();
  let next = 0;
  let verdicts: Verdict[] = [];
  let breaches: BreachFound[] = [];
  let lastFlush = Date.now();
  const flush = () => {
    journal.record(verdicts, breaches);
    verdicts = [];
    breaches = [];
    lastFlush = Date.now();
  };
  let failed = false;
  const worker = async () => {
    while (next < complaints.length && !stopped() && !failed) {
      const complaintId = complaints[next++]!;
      const rows = journal.rowsToDecide(complaintId);
      const followed = await follow(deps, complaintId);
      const decided = await decideComplaint(deps, identity, complaintId, rows, followed);
      for (const verdict of decided) progress.count(verdict.outcome);
      const found = rows.length ? breachesOf(deps, complaintId, rows[0]!.complaint, await followed.state()) : [];
      deps.done?.(complaintStream(complaintId));
      verdicts.push(...decided);
      breaches.push(...found);
      if (verdicts.length >= FLUSH_ROWS || Date.now() - lastFlush >= FLUSH_MS) flush();
    }
  };
  // the first failure (the store unavailable, the ledger found broken) stops every worker after its complaint in hand
  const guarded = () =>
    worker().catch((error: unknown) => {
      failed = true;
      throw error;
    });
  try {
    await Promise.all(Array.from({ length: Math.max(1, identity.concurrency) }, guarded));
  } finally {
    flush(); // what was decided before a failure stays decided
  }
}

/**
 * A complaint as the import follows it from row to row: its stream read once, the retry keys in it,
 * and the state each recorded row leaves, passed to the write path with the next row so it need not
 * read the stream again (the append at the known revision fails if another writer came between,
 * and the write path then reads it). A row whose key is already there goes the long way: the write
 * path reads the stream and answers it as a retry.
 */
interface Followed {
  /** The stream as read before the complaint's rows were decided. */
  readonly events: readonly RecordedEvent[];
  known: { state: State; revision: number } | null;
  readonly keys: Set<string>;
  state(): Promise<State>;
  /** What the write path answered for a row: its key is in the stream now, and the state is the one it left. */
  after(row: PendingRow, answer: SeriesOutcome): void;
}

async function follow(deps: DecidingDependencies, complaintId: string): Promise<Followed> {
  const stream = complaintStream(complaintId);
  const recorded = await deps.read.readStream(stream);
  const followed: Followed = {
    events: recorded,
    known: { state: foldEvents(recorded.map(complaintEventOf)), revision: recorded.length ? recorded.at(-1)!.revision : -1 },
    keys: new Set(recorded.flatMap((event) => (event.metadata.idempotencyKey ? [event.metadata.idempotencyKey] : []))),
    state: async () => followed.known?.state ?? foldEvents((await deps.read.readStream(stream)).map(complaintEventOf)),
    after: (row, answer) => {
      if (!('outcome' in answer)) return; // refused: nothing recorded, the state stands
      followed.keys.add(row.key);
      followed.known = answer.outcome.state ? { state: answer.outcome.state, revision: answer.outcome.revision } : null;
    },
  };
  return followed;
}

/**
 * A complaint's rows: as one series when it is new to the ledger (together); otherwise row by row,
 * each row decided before without being recorded judged at its place, the rest through the write
 * path (a fact recorded already answered as a retry, a new one recorded).
 */
async function decideComplaint(
  deps: DecidingDependencies,
  identity: ImportIdentity,
  complaintId: string,
  rows: readonly PendingRow[],
  followed: Followed,
): Promise<Verdict[]> {
  if (together(rows, followed)) {
    const known = { ...followed.known!, retryUnseen: true };
    const requests = rows.map((row, index) => requestOf(identity, complaintId, row, index === 0 ? known : undefined));
    const answers = await deps.write.executeSeries(complaintId, requests);
    return answers.map((answer, index) => {
      followed.after(rows[index]!, answer);
      return verdictOf(identity, rows[index]!, answer);
    });
  }
  const placed = statesAtTheirPlaces(rows, followed.events);
  const decided: Verdict[] = [];
  for (const [index, row] of rows.entries()) {
    const state = placed.get(index);
    const judged = state === undefined ? undefined : judgedAtItsPlace(deps, identity, complaintId, row, state);
    decided.push(judged ?? (await decideRow(deps, identity, complaintId, row, followed)));
  }
  return decided;
}

/**
 * The most a complaint's rows sent as one series may hold: one append, well within EventStoreDB's
 * 1 MiB (its encrypted events, hashes and MACs take about twice the facts' JSON, and more for
 * short ones). A longer history goes row by row.
 */
const SERIES_ROWS = 100;
const SERIES_BYTES = 256 * 1024;

/**
 * A complaint's rows go to the write path as one series (decided in turn, appended together) when
 * none of them is in its stream yet and no fact repeats among them: a complaint new to the ledger,
 * the usual case, and not too many for one append. Otherwise row by row, so each fact found
 * recorded is answered as a retry.
 */
function together(rows: readonly PendingRow[], followed: Followed): boolean {
  if (rows.length < 2 || rows.length > SERIES_ROWS || !followed.known) return false;
  if (rows.reduce((bytes, row) => bytes + row.size, 0) > SERIES_BYTES) return false;
  const keys = new Set(rows.map((row) => row.key));
  return keys.size === rows.length && rows.every((row) => !followed.keys.has(row.key));
}

/**
 * The rows decided before without being recorded (refused, or nothing to record) in a run resumed
 * or a file run again: each one that a later row of the file, recorded, follows in the stream,
 * with the complaint as it stood at its place: just before the first event of any later row of
 * the file that is recorded. That place is the same on every run (a row recorded by this file's
 * own earlier run comes after the rows an earlier file had recorded), so such a row is answered as
 * it was the first time, not against the facts after it (a completion refused before its remedy's
 * offer would otherwise be recorded on a second run).
 */
function statesAtTheirPlaces(rows: readonly PendingRow[], events: readonly RecordedEvent[]): Map<number, State> {
  const firstEventOf = new Map<string, number>();
  events.forEach((event, index) => {
    const key = event.metadata.idempotencyKey;
    if (key && !firstEventOf.has(key)) firstEventOf.set(key, index);
  });
  // for each row, the earliest first event of the rows after it that are recorded (Infinity: none)
  const placeOf = new Array<number>(rows.length);
  for (let index = rows.length - 1, earliest = Infinity; index >= 0; index--) {
    placeOf[index] = earliest;
    earliest = Math.min(earliest, firstEventOf.get(rows[index]!.key) ?? Infinity);
  }
  const placed = new Map<number, State>();
  let state: State = null;
  let folded = 0;
  rows.forEach((row, index) => {
    const place = placeOf[index]!;
    if (firstEventOf.has(row.key) || place === Infinity) return;
    // places only move forward from row to row (each is the least of fewer rows): the fold goes on from the last
    state = foldEvents(events.slice(folded, place).map(complaintEventOf), state);
    folded = place;
    placed.set(index, state);
  });
  return placed;
}

/** A row judged at its place: its refusal, or accepted with nothing to record; undefined when it would record now (it is then decided as any row). */
function judgedAtItsPlace(
  deps: DecidingDependencies,
  identity: ImportIdentity,
  complaintId: string,
  row: PendingRow,
  state: State,
): Verdict | undefined {
  const judged = deps.write.judge(requestOf(identity, complaintId, row, undefined), state);
  if (judged instanceof CommandRefused) return verdictOf(identity, row, { failed: judged });
  return judged.length ? undefined : { row: row.row, outcome: 'accepted' };
}

async function decideRow(
  deps: DecidingDependencies,
  identity: ImportIdentity,
  complaintId: string,
  row: PendingRow,
  followed: Followed,
): Promise<Verdict> {
  const known = followed.known && !followed.keys.has(row.key) ? { ...followed.known, retryUnseen: true } : undefined;
  let answer: SeriesOutcome;
  try {
    answer = { outcome: await deps.write.execute(requestOf(identity, complaintId, row, known)) };
  } catch (error) {
    if (!(error instanceof CommandRefused || error instanceof IdempotencyKeyReused)) throw error; // the store or the ledger cannot go on: the import stops, and can be resumed
    answer = { failed: error };
  }
  followed.after(row, answer);
  return verdictOf(identity, row, answer);
}

/** A row as the write path takes it: the fact itself is its retry identity, and its provenance goes into its events' metadata. */
function requestOf(identity: ImportIdentity, complaintId: string, row: PendingRow, known: CommandRequest['known']): CommandRequest {
  const provenance: Provenance = { importId: identity.importId, sourceSha256: identity.sourceSha256, row: row.row };
  return {
    complaintId,
    command: row.command,
    actor: identity.actor,
    correlationId: identity.importId,
    // the same fact, from any file or run, is the same request
    retry: { idempotencyKey: row.key, request: { method: 'IMPORT', path: `/v1/complaints/${complaintId}`, body: row.command } },
    provenance,
    newIds: row.newIds,
    follow: true,
    ...(known ? { known } : {}),
  };
}

/** What the write path answered, as the row's verdict. */
function verdictOf(identity: ImportIdentity, row: PendingRow, answer: SeriesOutcome): Verdict {
  if ('outcome' in answer) {
    const outcome: CommandOutcome = answer.outcome;
    if (!outcome.replayed) return { row: row.row, outcome: 'accepted' };
    const from = outcome.replayedFrom;
    // this very row, recorded before the import was interrupted: the run resumed has accepted it
    if (from?.importId === identity.importId && from.row === row.row) return { row: row.row, outcome: 'accepted' };
    return { row: row.row, outcome: 'skipped', reason: alreadyRecorded(from, identity.importId) };
  }
  const error = answer.failed;
  if (error instanceof CommandRefused) {
    const { code, message, details } = error.reason;
    return {
      row: row.row,
      outcome: 'refused',
      reason: {
        ...(details.field ? { field: details.field } : {}),
        rule: code,
        message,
        ...(details.provision ? { provision: details.provision } : {}),
        ...(details.codeVersion ? { codeVersion: details.codeVersion } : {}),
      },
    };
  }
  // an import's key names the fact: only that fact, recorded already, can have used it
  if (error instanceof IdempotencyKeyReused)
    return { row: row.row, outcome: 'skipped', reason: alreadyRecorded(undefined, identity.importId) };
  throw error; // an import sends no If-Match: a revision mismatch is not an answer it expects
}

const alreadyRecorded = (from: Provenance | undefined, importId: string) => ({
  rule: ALREADY_RECORDED,
  message: !from
    ? 'already recorded'
    : from.importId === importId
      ? `the same fact as row ${from.row} of this file`
      : `already recorded by import ${from.importId} (row ${from.row} of the file with SHA-256 ${from.sourceSha256.slice(0, 12)}…)`,
});

/** The deadlines the complaint's history, as it now stands, shows breached: missed, or met after they were due. */
function breachesOf(deps: DecidingDependencies, complaintId: string, complaint: string, state: State): BreachFound[] {
  if (!state) return [];
  return assess(state, deps.clock(), deps.rules)
    .deadlines.filter((deadline) => deadline.status === 'breached' || deadline.status === 'met_late')
    .map((deadline) => ({
      complaint,
      complaintId,
      kind: deadline.kind,
      stage: deadline.stage,
      dueAt: deadline.dueAt ?? '',
      status: deadline.status as BreachFound['status'],
      workingDaysLate: deadline.workingDaysLate,
      provision: deadline.provision,
      codeVersion: deadline.codeVersion,
    }));
}
