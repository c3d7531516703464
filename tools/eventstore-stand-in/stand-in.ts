import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
// The service definitions and messages the client package itself was generated from: this server
// speaks exactly the protocol @eventstore/db-client speaks (and @kurrent/kurrentdb-client, whose
// v1 protocol is the same), protobuf and all.
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import * as streams from '@eventstore/db-client/generated/streams_pb';
import { serveBatchAppend, type BatchAppendCall } from './batch-append';
import { callRefusal, sleep, uuidOf, withStatus, type Leader, type StandInMode } from './refusals';
import { jsonEvent, StandInLog, type Expectation, type StoredEvent } from './stand-in-log';

export type { StandInMode } from './refusals';

/**
 * Which server the stand-in is: `current` answers `ServerFeatures.GetSupportedMethods` as servers
 * from 21.10 do, listing `BatchAppend`, so the clients append with it; `older` answers that service
 * UNIMPLEMENTED, as servers before 21.10 did, so the clients append with `Append`.
 */
export type StandInServer = 'current' | 'older';

type ReadCall = grpc.ServerWritableStream<streams.ReadReq, streams.ReadResp>;
type AppendCall = grpc.ServerReadableStream<streams.AppendReq, streams.AppendResp>;
type FeaturesCall = grpc.ServerUnaryCall<shared.Empty, SupportedMethods>;
type TombstoneCall = grpc.ServerUnaryCall<streams.TombstoneReq, streams.TombstoneResp>;

/**
 * A stand-in EventStoreDB / KurrentDB node for tests where no server can run: a real gRPC server
 * (HTTP/2, protobuf) implementing what the clients use of a server: `ServerFeatures`, and the
 * `Streams` service's `Read` (a stream both ways, `$all` both ways, the `$all` subscription with a
 * stream-name prefix filter), `BatchAppend` (batch-append.ts), `Append` and `Tombstone`, with
 * EventStoreDB's answers: revisions, commit/prepare positions in bytes, `stream-not-found`,
 * `stream-deleted` for a tombstoned stream, the wrong expected
 * version, an append of event ids already there recognised as written, the maximum append size,
 * and its failures (`mode`). Nothing is persisted.
 */
export class EventStoreDbStandIn {
  mode: StandInMode = 'serving';
  /** Each answer (and each event a read sends) waits this long first. */
  delayMs = 0;
  /** An append is written at once, and its answer sent this much later: an answer lost or late, the write made. */
  appendAnswerDelayMs = 0;
  /** EventStoreDB refuses an append whose events' data and metadata exceed this many bytes (1 MiB by default). */
  maxAppendSize = 1_048_576;
  /** Where `not-leader` sends the client (host:port). */
  leader: Leader = { host: '127.0.0.1', port: 2113 };
  /** New subscriptions fail at once, as one refused by an ACL or a bad TLS setting would. */
  failSubscriptions: 'access-denied' | null = null;
  /** The version a current server names in its features. */
  serverVersion = '26.1.1';
  /**
   * Calls served, by method: `append` counts `Append` calls, `batchAppend` each append made over a
   * `BatchAppend` call (one correlation id), `features` the clients' `GetSupportedMethods` probes.
   */
  readonly calls = { read: 0, append: 0, batchAppend: 0, subscribe: 0, features: 0, tombstone: 0 };
  /** Every read answered (not subscriptions): of which stream (`$all`), which way, and how many events it sent. */
  readonly reads: { stream: string; backwards: boolean; events: number }[] = [];
  /** The server's clock (ms since the epoch), which stamps each event's `created`: a test sets it apart from the ledger's. */
  clock: () => number = Date.now;
  readonly log = new StandInLog(
    (stored) => this.notify(stored),
    () => this.clock(),
  );
  private readonly subscribers = new Set<{ call: ReadCall; prefixes: readonly string[] }>();
  private readonly hanging = new Set<ReadCall | AppendCall | BatchAppendCall | FeaturesCall | TombstoneCall>();
  private readonly batchAppends = new Set<BatchAppendCall>(); // long-lived: a node shutting down ends them

  port = 0;
  private readonly server = new grpc.Server();

  private constructor(readonly kind: StandInServer) {
    this.server.addService(StreamsService, {
      read: (call: ReadCall) => void this.read(call),
      append: (call: AppendCall, callback: grpc.sendUnaryData<streams.AppendResp>) => this.append(call, callback),
      batchAppend: (call: BatchAppendCall) => {
        this.batchAppends.add(call);
        call.on('close', () => this.batchAppends.delete(call));
        serveBatchAppend(call, this, { counted: () => (this.calls.batchAppend += 1), hang: (hung) => this.hanging.add(hung) });
      },
      tombstone: (call: TombstoneCall, callback: grpc.sendUnaryData<streams.TombstoneResp>) => void this.tombstone(call, callback),
    });
    this.server.addService(ServerFeaturesService, {
      getSupportedMethods: (call: FeaturesCall, callback: grpc.sendUnaryData<SupportedMethods>) => void this.features(call, callback),
    });
  }

  static async start(options: { port?: number; server?: StandInServer } = {}): Promise<EventStoreDbStandIn> {
    const standIn = new EventStoreDbStandIn(options.server ?? 'current');
    standIn.port = await new Promise<number>((resolve, reject) =>
      standIn.server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    // a server's own streams, which the ledger's reads of $all must pass over
    standIn.log.store('$settings', [jsonEvent('$settings', {})]);
    return standIn;
  }

  /** The connection string for `@eventstore/db-client` (`esdb://`); `kurrentdb://` with the same rest for `@kurrent/kurrentdb-client`. */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Appends on the server's side (another application's stream, say), live subscribers included. */
  appendDirectly(streamName: string, type: string, data: object): void {
    this.log.store(streamName, [jsonEvent(type, data)]);
  }

  /** Removes a stream's events before `revision`, as `$tb` (truncate before) and a scavenge do; revisions go on. */
  truncateBefore(streamName: string, revision: number): void {
    this.log.truncateBefore(streamName, revision);
  }

  /** Ends every live subscription as a node restarting would. */
  dropSubscriptions(): void {
    // a server stream's error is sent as its status (destroying it would send none)
    for (const subscriber of this.subscribers)
      subscriber.call.emit('error', withStatus(grpc.status.UNAVAILABLE, 'Server is shutting down.'));
    this.subscribers.clear();
  }

  async stop(): Promise<void> {
    this.dropSubscriptions();
    for (const call of [...this.hanging, ...this.batchAppends]) call.emit('error', withStatus(grpc.status.UNAVAILABLE, 'Server stopped.'));
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  /**
   * What a current server lists of what the stand-in serves (KurrentDB's ServerFeatures.cs: names in
   * lower case, `Read` with its features, `BatchAppend` with `deadline_duration`); an older one has
   * no such service. Any node answers it, leader or not, with or without rights.
   */
  private async features(call: FeaturesCall, callback: grpc.sendUnaryData<SupportedMethods>): Promise<void> {
    this.calls.features += 1;
    if (this.kind === 'older') return callback(withStatus(grpc.status.UNIMPLEMENTED, 'Service is unimplemented.'));
    if (this.delayMs) await sleep(this.delayMs);
    if (this.mode === 'silent') return void this.hanging.add(call);
    if (this.mode === 'refusing') return callback(callRefusal('refusing', this.leader));
    const method = (service: string, name: string, features: string[] = []) =>
      new SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(features);
    const methods = [
      method('event_store.client.streams.streams', 'read', ['position', 'events']),
      method('event_store.client.streams.streams', 'append'),
      method('event_store.client.streams.streams', 'batchappend', ['deadline_duration']),
      method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
    ];
    callback(null, new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(this.serverVersion));
  }

  private async read(call: ReadCall): Promise<void> {
    const options = call.request.getOptions()!;
    const subscription = options.hasSubscription();
    if (subscription) this.calls.subscribe += 1;
    else this.calls.read += 1;
    if (await this.misbehave(call, (error) => call.emit('error', error))) return;
    if (subscription && this.failSubscriptions) {
      call.emit('error', withStatus(grpc.status.PERMISSION_DENIED, 'Access denied.', { exception: 'access-denied' }));
      return;
    }
    const backwards = options.getReadDirection() === streams.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = subscription ? Infinity : Number(options.getCount());
    let selected: StoredEvent[];
    let prefixes: readonly string[] = [];
    if (options.hasStream()) {
      const name = streamNameOf(options.getStream()!);
      if (this.log.tombstoned.has(name)) {
        this.reads.push({ stream: name, backwards, events: 0 });
        call.emit('error', streamDeleted(name));
        return;
      }
      selected = this.log.visible(name);
      if (!selected.length) {
        this.reads.push({ stream: name, backwards, events: 0 });
        const notFound = new streams.ReadResp.StreamNotFound().setStreamIdentifier(options.getStream()!.getStreamIdentifier());
        call.write(new streams.ReadResp().setStreamNotFound(notFound));
        call.end();
        return;
      }
      const from = options.getStream()!;
      if (from.hasRevision())
        selected = selected.filter((event) =>
          backwards ? event.revision <= Number(from.getRevision()) : event.revision >= Number(from.getRevision()),
        );
      if (backwards) selected.reverse();
    } else {
      const from = options.getAll()!;
      // $all reads start at the position given, inclusive; a subscription starts after it
      const at = from.hasPosition() ? Number(from.getPosition()!.getCommitPosition()) : from.hasEnd() ? Infinity : -1;
      if (from.hasPosition() && !this.log.startsRecord(at)) {
        // as KurrentDB's ReadAll enumerators answer ReadAllResult.InvalidPosition (kurrent-io/KurrentDB#694)
        call.emit('error', withStatus(grpc.status.UNKNOWN, `Unexpected ReadAllResult: InvalidPosition >> ${at}`));
        return;
      }
      selected = backwards
        ? this.log.events.filter((event) => event.position <= at).reverse()
        : this.log.events.filter((event) => (subscription ? event.position > at : event.position >= at));
      if (options.hasFilter()) prefixes = options.getFilter()!.getStreamIdentifier()?.getPrefixList() ?? [];
    }
    if (subscription)
      call.write(new streams.ReadResp().setConfirmation(new streams.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    let sent = 0;
    for (const event of selected) {
      if (sent >= count || call.cancelled || call.destroyed) break;
      if (prefixes.length && !prefixes.some((prefix) => event.streamName.startsWith(prefix))) continue;
      if (this.delayMs) await sleep(this.delayMs);
      call.write(readResp(event));
      sent += 1;
    }
    if (!subscription) {
      this.reads.push({ stream: options.hasStream() ? streamNameOf(options.getStream()!) : '$all', backwards, events: sent });
      call.end();
      return;
    }
    const subscriber = { call, prefixes };
    this.subscribers.add(subscriber);
    call.on('cancelled', () => this.subscribers.delete(subscriber));
  }

  /** `Append` (client streaming: the options, then one request per event), for clients that use it. */
  private append(call: AppendCall, callback: grpc.sendUnaryData<streams.AppendResp>): void {
    this.calls.append += 1;
    const requests: streams.AppendReq[] = [];
    call.on('data', (request: streams.AppendReq) => requests.push(request));
    call.on('end', async () => {
      if (await this.misbehave(call, (error) => callback(error))) return;
      const options = requests[0]!.getOptions()!;
      const name = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      const proposed = requests.slice(1).map((request) => request.getProposedMessage()!);
      const size = proposed.reduce((sum, message) => sum + message.getData_asU8().length + message.getCustomMetadata_asU8().length, 0);
      if (size > this.maxAppendSize) {
        const details = { exception: 'maximum-append-size-exceeded', 'maximum-append-size': String(this.maxAppendSize) };
        callback(withStatus(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${this.maxAppendSize} Exceeded.`, details));
        return;
      }
      const expected: Expectation = options.hasRevision()
        ? Number(options.getRevision())
        : options.hasNoStream()
          ? -1
          : options.hasStreamExists()
            ? 'exists'
            : 'any';
      const outcome = this.log.append(
        name,
        expected,
        proposed.map((message) => ({
          id: uuidOf(message.getId()!),
          type: message.getMetadataMap().get('type') ?? '',
          contentType: message.getMetadataMap().get('content-type') ?? 'application/octet-stream',
          data: message.getData_asU8(),
          customMetadata: message.getCustomMetadata_asU8(),
        })),
      );
      if (outcome.kind === 'stream-deleted') return callback(streamDeleted(name));
      if (outcome.kind === 'wrong-expected-version') {
        const wrong = new streams.AppendResp.WrongExpectedVersion();
        if (outcome.current < 0) wrong.setCurrentNoStream(new shared.Empty());
        else wrong.setCurrentRevision(String(outcome.current));
        if (expected === -1) wrong.setExpectedNoStream(new shared.Empty());
        else if (typeof expected === 'number') wrong.setExpectedRevision(String(expected));
        callback(null, new streams.AppendResp().setWrongExpectedVersion(wrong));
        return;
      }
      if (this.appendAnswerDelayMs) await sleep(this.appendAnswerDelayMs);
      const position = new streams.AppendResp.Position()
        .setCommitPosition(String(outcome.position))
        .setPreparePosition(String(outcome.position));
      callback(
        null,
        new streams.AppendResp().setSuccess(
          new streams.AppendResp.Success().setCurrentRevision(String(outcome.revision)).setPosition(position),
        ),
      );
    });
  }

  /**
   * `Tombstone`: the stream is deleted for good, whatever it held (the clients send `any` unless
   * told otherwise); one already deleted is answered `stream-deleted`, as a server does.
   */
  private async tombstone(call: TombstoneCall, callback: grpc.sendUnaryData<streams.TombstoneResp>): Promise<void> {
    this.calls.tombstone += 1;
    if (await this.misbehave(call, (error) => callback(error))) return;
    const name = Buffer.from(call.request.getOptions()!.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
    if (this.log.tombstoned.has(name)) return callback(streamDeleted(name));
    const { position } = this.log.tombstone(name);
    const at = new streams.TombstoneResp.Position().setCommitPosition(String(position)).setPreparePosition(String(position));
    callback(null, new streams.TombstoneResp().setPosition(at));
  }

  /** Fails or hangs the call as `mode` says; true when it did. */
  private async misbehave(call: ReadCall | AppendCall | TombstoneCall, fail: (error: grpc.StatusObject & Error) => void): Promise<boolean> {
    if (this.delayMs) await sleep(this.delayMs);
    if (this.mode === 'silent') {
      this.hanging.add(call);
      return true;
    }
    const refusal = callRefusal(this.mode, this.leader);
    if (refusal) fail(refusal);
    return refusal !== null;
  }

  private notify(stored: readonly StoredEvent[]): void {
    for (const subscriber of this.subscribers)
      for (const event of stored)
        if (!subscriber.prefixes.length || subscriber.prefixes.some((prefix) => event.streamName.startsWith(prefix)))
          subscriber.call.write(readResp(event));
  }
}

/**
 * A TCP listener that accepts connections and never says a word: not even HTTP/2's preface. What a
 * client meets behind a black-holed load balancer, or a node stuck before it serves gRPC.
 */
export async function silentListener(): Promise<{ connectionString: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A server's answer to a read of, or a write to, a stream deleted for good. */
const streamDeleted = (name: string) =>
  withStatus(grpc.status.FAILED_PRECONDITION, `Event stream '${name}' is deleted.`, { exception: 'stream-deleted', 'stream-name': name });

const streamNameOf = (options: streams.ReadReq.Options.StreamOptions) =>
  Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');

function readResp(event: StoredEvent): streams.ReadResp {
  const recorded = new streams.ReadResp.ReadEvent.RecordedEvent()
    .setId(new shared.UUID().setString(event.id))
    .setStreamIdentifier(new shared.StreamIdentifier().setStreamName(Buffer.from(event.streamName)))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setCustomMetadata(event.customMetadata)
    .setData(event.data);
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', String(event.created));
  return new streams.ReadResp().setEvent(new streams.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position)));
}
