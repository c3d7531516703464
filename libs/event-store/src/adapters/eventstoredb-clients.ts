import type * as EventStoreDb from '@eventstore/db-client';
import type * as KurrentDb from '@kurrent/kurrentdb-client';

/**
 * The two clients the EventStoreDB adapter speaks through, behind the few things it uses of them.
 * `@eventstore/db-client` (the client this service was specified with) for EventStoreDB, chosen by
 * `esdb://`; `@kurrent/kurrentdb-client` (its maintained successor) for KurrentDB, chosen by
 * `kurrentdb://` (or `kurrent://`, `kdb://`). Both speak the same gRPC protocol; the successor
 * renames an append's `expectedRevision` to `streamState` and a wrong expected version's
 * `actualVersion` to `actualState`, and reads through a native (Rust) client.
 *
 * Each is loaded the first time it is used (gRPC and protobuf are a sizeable share of the memory
 * budget), and never both in one process: their generated protobuf code registers the same global
 * names (google-protobuf's `proto.event_store.client.*`), so the one loaded last would serialise
 * for both (`@eventstore/db-client`'s BatchAppend then fails: "getDeadline21100 is not a function").
 */
export type ClientName = '@eventstore/db-client' | '@kurrent/kurrentdb-client';

export type Position = { readonly commit: bigint; readonly prepare: bigint };

/** An event as the clients return it. */
export interface ClientEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position;
  /** When the server wrote it, by the server's clock (both clients read its `created` ticks into a Date). */
  readonly created?: Date;
}

export interface ClientResolvedEvent {
  readonly event?: ClientEvent;
  readonly commitPosition?: bigint;
}

/** An event read from `$all`, which always has its position. */
export interface AllResolvedEvent {
  readonly event?: ClientEvent & { readonly position: Position };
}

/** An event as the clients take it (`jsonEvent`'s result). */
export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
}

/** What an append expects of the stream: `no_stream`, or the revision of its last event. */
export type Expecting = 'no_stream' | bigint;

export type StreamNameFilter = ReturnType<typeof EventStoreDb.streamNameFilter>;

/** A read the client can call off (`@eventstore/db-client`'s `cancel()` ends the gRPC call). */
export type Cancellable<T> = AsyncIterable<T> & { cancel?(): Promise<void> };

/**
 * The part of a client the adapter uses, in the terms both clients share. Narrow on purpose: the
 * real clients satisfy it, and a test can wrap one (another writer slipping in before an append).
 */
export interface EventStoreDbClientLike {
  appendToStream(
    streamName: string,
    events: ProposedEvent[],
    options: AppendOptions,
  ): Promise<{ readonly nextExpectedRevision: bigint; readonly position?: Position }>;
  readStream(
    streamName: string,
    options: { direction: 'forwards' | 'backwards'; fromRevision: 'start' | 'end'; maxCount?: number },
  ): Cancellable<ClientResolvedEvent>;
  readAll(options: {
    direction: 'forwards' | 'backwards';
    fromPosition: 'start' | 'end' | Position;
    maxCount: number;
  }): Cancellable<AllResolvedEvent>;
  subscribeToAll(options: { fromPosition: 'start' | Position; filter: StreamNameFilter }): AsyncIterable<AllResolvedEvent> & {
    unsubscribe(): Promise<void>;
    once?(event: 'confirmation' | 'error', listener: (error?: Error) => void): unknown;
  };
  /** An append to the stream's metadata stream: over BatchAppend its deadline is an instant by this host's clock, as an append's. */
  setStreamMetadata(
    streamName: string,
    metadata: { maxCount?: number; truncateBefore?: number },
    options: { deadline: number },
  ): Promise<unknown>;
  tombstoneStream(streamName: string, options: { deadline: number }): Promise<unknown>;
  dispose(): Promise<void>;
}

/** An append's options in either client's words: `expectedRevision` (EventStoreDB's) or `streamState` (KurrentDB's). */
export type AppendOptions = { readonly deadline: number } & (
  { readonly expectedRevision: Expecting } | { readonly streamState: Expecting }
);

/** The client as the adapter uses it. */
export interface ClientLibrary {
  readonly name: ClientName;
  /**
   * How finely a read event's `created` time comes through (ms): `@eventstore/db-client` converts
   * the server's ticks to whole milliseconds; `@kurrent/kurrentdb-client` 1.3 (its native reader)
   * cuts them to whole seconds, earlier, never later, than the server's time.
   */
  readonly createdResolutionMs: number;
  connect(connectionString: string): EventStoreDbClientLike;
  appendOptions(expecting: Expecting, deadline: number): AppendOptions;
  jsonEvent(event: { id: string; type: string; data: object; metadata: object }): ProposedEvent;
  streamNameFilter(prefixes: string[]): StreamNameFilter;
  /** The stream's actual revision named by a wrong-expected-version error (`no_stream`), or undefined for any other error. */
  wrongExpectedVersion(error: unknown): bigint | 'no_stream' | undefined;
  isStreamNotFound(error: unknown): boolean;
  /** The stream was deleted for good (tombstoned). */
  isStreamDeleted(error: unknown): boolean;
  /** A node that is not the leader refused the call; the client has turned to the leader it named. */
  isNotLeader(error: unknown): boolean;
  /** A read of `$all` from a position where no record starts (ReadAllResult.InvalidPosition, sent as an unknown error). */
  isInvalidPosition(error: unknown): boolean;
  /** Why the server refused an append outright, writing nothing (not the leader, access denied, too large, a deleted stream); null for any other failure. */
  refusal(error: unknown): string | null;
}

const KURRENT_SCHEMES = ['kurrentdb', 'kurrent', 'kdb'];

/** The client a connection string's scheme asks for: `kurrentdb://`, `kurrent://`, `kdb://` (and `+discover`) the KurrentDB client, anything else the EventStoreDB client. */
export function clientNameFor(connectionString: string): ClientName {
  return KURRENT_SCHEMES.includes(schemeOf(connectionString) ?? '') ? '@kurrent/kurrentdb-client' : '@eventstore/db-client';
}

/** Whether `target` is an EventStoreDB/KurrentDB connection string (any scheme a client takes), rather than a file's path. */
export const isEventStoreConnectionString = (target: string): boolean => {
  const scheme = schemeOf(target);
  return scheme === 'esdb' || KURRENT_SCHEMES.includes(scheme ?? '');
};

const schemeOf = (connectionString: string) => /^([^:/]+):\/\//.exec(connectionString.trim())?.[1]?.replace(/\+discover$/, '');

let loaded: ClientLibrary | undefined;

/** The client named, loaded on first use; refuses the other once one is loaded (see above). */
export function clientLibrary(name: ClientName): ClientLibrary {
  if (loaded && loaded.name !== name)
    throw new Error(
      `${name} cannot be used in a process that has loaded ${loaded.name}: their protobuf code shares global names. Use one connection-string scheme per process.`,
    );
  return (loaded ??= name === '@eventstore/db-client' ? eventStoreDbClient() : kurrentDbClient());
}

function eventStoreDbClient(): ClientLibrary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const lib = require('@eventstore/db-client') as typeof EventStoreDb;
  return {
    name: '@eventstore/db-client',
    createdResolutionMs: 1,
    connect: (connectionString) => lib.EventStoreDBClient.connectionString(connectionString) as unknown as EventStoreDbClientLike,
    appendOptions: (expecting, deadline) => ({ expectedRevision: expecting, deadline }),
    jsonEvent: (event) => lib.jsonEvent(event as Parameters<typeof lib.jsonEvent>[0]),
    streamNameFilter: (prefixes) => lib.streamNameFilter({ prefixes }),
    wrongExpectedVersion: (error) => (error instanceof lib.WrongExpectedVersionError ? actual(error.actualVersion) : undefined),
    isStreamNotFound: (error) => error instanceof lib.StreamNotFoundError,
    isStreamDeleted: (error) => error instanceof lib.StreamDeletedError,
    isNotLeader: (error) => error instanceof lib.NotLeaderError,
    isInvalidPosition: invalidPosition,
    refusal: (error) => refusalOf(error, lib),
  };
}

function kurrentDbClient(): ClientLibrary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const lib = require('@kurrent/kurrentdb-client') as typeof KurrentDb;
  return {
    name: '@kurrent/kurrentdb-client',
    createdResolutionMs: 1000,
    connect: (connectionString) => lib.KurrentDBClient.connectionString(connectionString) as unknown as EventStoreDbClientLike,
    appendOptions: (expecting, deadline) => ({ streamState: expecting, deadline }),
    jsonEvent: (event) => lib.jsonEvent(event as Parameters<typeof lib.jsonEvent>[0]),
    streamNameFilter: (prefixes) => lib.streamNameFilter({ prefixes }) as StreamNameFilter,
    wrongExpectedVersion: (error) => (error instanceof lib.WrongExpectedVersionError ? actual(error.actualState) : undefined),
    isStreamNotFound: (error) => error instanceof lib.StreamNotFoundError,
    isStreamDeleted: (error) => error instanceof lib.StreamDeletedError,
    isNotLeader: (error) => error instanceof lib.NotLeaderError,
    isInvalidPosition: invalidPosition,
    refusal: (error) => refusalOf(error, lib),
  };
}

const actual = (state: unknown): bigint | 'no_stream' => (typeof state === 'bigint' ? state : 'no_stream');

type ErrorClass<T = object> = abstract new (...args: never[]) => Error & T;
interface RefusalClasses {
  readonly NotLeaderError: ErrorClass<{ readonly leader: { readonly address: string; readonly port: number } }>;
  readonly AccessDeniedError: ErrorClass;
  readonly MaxAppendSizeExceededError: ErrorClass<{ readonly maxAppendSize: number }>;
  readonly StreamDeletedError: ErrorClass;
}

/** The refusals both clients name alike; over BatchAppend they carry no message of the server's, so this says what each is. */
function refusalOf(error: unknown, lib: RefusalClasses): string | null {
  if (error instanceof lib.NotLeaderError) return `not the leader (the leader is ${error.leader.address}:${error.leader.port})`;
  if (error instanceof lib.AccessDeniedError) return 'access denied';
  if (error instanceof lib.MaxAppendSizeExceededError)
    return `the append is larger than the server's maximum append size (${error.maxAppendSize} bytes)`;
  if (error instanceof lib.StreamDeletedError) return 'the stream was deleted for good';
  return null;
}

/**
 * The connection string as its client reads it: anything that client would refuse at start-up (a
 * bad host, port or option, an unknown scheme) is refused here, in its words. Only the client's
 * parser is loaded, not the client.
 */
export function parseEventStoreConnectionString(connectionString: string): { defaultDeadline?: number } {
  const scheme = schemeOf(connectionString);
  if (scheme !== undefined && scheme !== 'esdb' && !KURRENT_SCHEMES.includes(scheme))
    throw new Error(
      `Unexpected "${scheme}://", expected esdb:// or esdb+discover:// (EventStoreDB, through @eventstore/db-client), or kurrentdb://, kurrent://, kdb:// or their +discover forms (KurrentDB, through @kurrent/kurrentdb-client)`,
    );
  const name = clientNameFor(connectionString);
  const parser =
    name === '@kurrent/kurrentdb-client'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the client's own parser, loaded only when configured
        require('@kurrent/kurrentdb-client/dist/Client/parseConnectionString')
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
        require('@eventstore/db-client/dist/Client/parseConnectionString');
  return (parser as { parseConnectionString(value: string): { defaultDeadline?: number } }).parseConnectionString(connectionString);
}

/** KurrentDB answers a read of `$all` from inside a record with its ReadAllResult in an UNKNOWN status's text (both clients pass it on). */
const invalidPosition = (error: unknown): boolean => error instanceof Error && /\bInvalidPosition\b/.test(error.message);
