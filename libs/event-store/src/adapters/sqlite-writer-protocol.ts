import { DuplicateEventId, MisfiledEvent, WrongExpectedRevision, type AppendResult, type ExpectedRevision } from '../port';
import type { AppendRequest, Outcome } from './sqlite-appender';
import { DependencyNotSynced } from './sqlite-commit-dependency';

/** What the store sends its writer thread: one batch to commit, recorded at the store's clock. */
export interface CommitRequest {
  readonly id: number;
  readonly batch: readonly AppendRequest[];
  readonly recordedAt: string;
  /** An fd (the process's, so this thread's too) to fsync before committing: the store's commit dependency. */
  readonly syncFirst: number | null;
}

/** Asks the writer for its connection's `PRAGMA data_version`, which moves only when another connection commits. */
export interface ProbeRequest {
  readonly id: number;
  readonly probe: true;
}

/** The writer's answer: each append's outcome, or why the batch as a whole failed (nothing written); or the data version asked for. */
export type CommitReply =
  | { readonly id: number; readonly outcomes: readonly EncodedOutcome[] }
  | { readonly id: number; readonly failure: EncodedError }
  | { readonly id: number; readonly dataVersion: number };

type EncodedOutcome = { ok: AppendResult; streamKey: number } | { error: EncodedError };

/** An error as it crosses between threads: structured cloning keeps neither its class nor its fields. */
interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly streamId?: string;
  readonly expected?: ExpectedRevision;
  readonly actual?: number | 'no_stream';
  readonly eventId?: string;
  readonly revision?: number;
  readonly position?: number;
  readonly filedUnder?: string | null;
}

export function encodeError(error: unknown): EncodedError {
  if (error instanceof WrongExpectedRevision) {
    return {
      name: 'WrongExpectedRevision',
      message: error.message,
      streamId: error.streamId,
      expected: error.expected,
      actual: error.actual,
    };
  }
  if (error instanceof DuplicateEventId) return { name: 'DuplicateEventId', message: error.message, eventId: error.eventId };
  if (error instanceof MisfiledEvent) {
    const { streamId, revision, position, message } = error;
    return { name: 'MisfiledEvent', message, streamId, revision, position, filedUnder: error.filedUnder };
  }
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

export function decodeError(encoded: EncodedError): Error {
  if (encoded.name === 'WrongExpectedRevision') return new WrongExpectedRevision(encoded.streamId!, encoded.expected!, encoded.actual!);
  if (encoded.name === 'DuplicateEventId') return new DuplicateEventId(encoded.eventId!);
  if (encoded.name === 'DependencyNotSynced') return new DependencyNotSynced(encoded.message);
  if (encoded.name === 'MisfiledEvent')
    return new MisfiledEvent(encoded.streamId!, encoded.revision!, encoded.position!, encoded.filedUnder!);
  return Object.assign(new Error(encoded.message), { name: encoded.name, ...(encoded.code ? { code: encoded.code } : {}) });
}

export const encodeOutcome = (outcome: Outcome): EncodedOutcome => ('ok' in outcome ? outcome : { error: encodeError(outcome.error) });

export const decodeOutcome = (outcome: EncodedOutcome): Outcome => ('ok' in outcome ? outcome : { error: decodeError(outcome.error) });
