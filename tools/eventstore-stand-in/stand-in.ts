import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
// The service definitions and messages the client package itself was generated from: this server
// speaks exactly the protocol @eventstore/db-client speaks, protobuf and all.
import * as shared from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import * as streams from '@eventstore/db-client/generated/streams_pb';

/** How the stand-in behaves: as a server should, or as one that fails in a way a real cluster can. */
export type StandInMode =
  | 'serving'
  | 'silent' // accepts every call and never answers (a hung node, a black-holed network)
  | 'refusing' // every call fails as a node that is shutting down does (UNAVAILABLE)
  | 'denied' // every call fails for want of rights (an ACL, a wrong user)
  | 'not-leader'; // every call is redirected to another node, as after a leader election

interface StoredEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  readonly position: number;
  readonly created: bigint;
}

type ReadCall = grpc.ServerWritableStream<streams.ReadReq, streams.ReadResp>;
type AppendCall = grpc.ServerReadableStream<streams.AppendReq, streams.AppendResp>;

/**
 * A stand-in EventStoreDB node for tests where no server can run: a real gRPC server (HTTP/2,
 * protobuf) implementing the `Streams` service's `Read` (a stream, `$all` both ways, the `$all`
 * subscription with a stream-name prefix filter) and `Append`, with EventStoreDB's answers:
 * revisions, commit/prepare positions in bytes, `stream-not-found`, wrong expected version, the
 * maximum append size, and its failures (`mode`). `ServerFeatures` is left unimplemented, as on
 * older servers, so the client appends with `Append`. Nothing is persisted.
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
  leader = { host: '127.0.0.1', port: 2113 };
  /** New subscriptions fail at once, as one refused by an ACL or a bad TLS setting would. */
  failSubscriptions: 'access-denied' | null = null;
  readonly calls = { read: 0, append: 0, subscribe: 0 };
  private readonly events: StoredEvent[] = [];
  private readonly subscribers = new Set<{ call: ReadCall; after: number; prefixes: readonly string[] }>();
  private readonly hanging = new Set<ReadCall | AppendCall>();
  private readonly heads = new Map<string, number>(); // each stream's last revision, truncation or not
  private nextPosition = 1_000;

  port = 0;
  private readonly server = new grpc.Server();

  private constructor() {
    this.server.addService(StreamsService, {
      read: (call: ReadCall) => void this.read(call),
      append: (call: AppendCall, callback: grpc.sendUnaryData<streams.AppendResp>) => this.append(call, callback),
    });
  }

  static async start(port = 0): Promise<EventStoreDbStandIn> {
    const standIn = new EventStoreDbStandIn();
    standIn.port = await new Promise<number>((resolve, reject) =>
      standIn.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    // a server's own streams, which the ledger's reads of $all must pass over
    standIn.store('$settings', [
      { id: randomUUID(), type: '$settings', contentType: 'application/json', data: Buffer.from('{}'), customMetadata: Buffer.alloc(0) },
    ]);
    return standIn;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Appends on the server's side (another application's stream, say), live subscribers included. */
  appendDirectly(streamName: string, type: string, data: object): void {
    this.store(streamName, [
      { id: randomUUID(), type, contentType: 'application/json', data: Buffer.from(JSON.stringify(data)), customMetadata: Buffer.alloc(0) },
    ]);
  }

  /** Removes a stream's events before `revision`, as `$tb` (truncate before) and a scavenge do; revisions go on. */
  truncateBefore(streamName: string, revision: number): void {
    for (let i = this.events.length - 1; i >= 0; i--)
      if (this.events[i]!.streamName === streamName && this.events[i]!.revision < revision) this.events.splice(i, 1);
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
    for (const call of this.hanging) call.emit('error', withStatus(grpc.status.UNAVAILABLE, 'Server stopped.'));
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
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
      const name = Buffer.from(options.getStream()!.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      selected = this.events.filter((event) => event.streamName === name);
      if (!selected.length) {
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
      selected = backwards
        ? this.events.filter((event) => event.position <= at).reverse()
        : this.events.filter((event) => (subscription ? event.position > at : event.position >= at));
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
      call.end();
      return;
    }
    const subscriber = { call, after: selected.at(-1)?.position ?? -1, prefixes };
    this.subscribers.add(subscriber);
    call.on('cancelled', () => this.subscribers.delete(subscriber));
  }

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
      const current = this.heads.get(name) ?? -1;
      const expected = options.hasRevision()
        ? Number(options.getRevision())
        : options.hasNoStream()
          ? -1
          : options.hasStreamExists()
            ? 'exists'
            : 'any';
      if ((typeof expected === 'number' && expected !== current) || (expected === 'exists' && current < 0)) {
        const wrong = new streams.AppendResp.WrongExpectedVersion();
        if (current < 0) wrong.setCurrentNoStream(new shared.Empty());
        else wrong.setCurrentRevision(String(current));
        if (expected === -1) wrong.setExpectedNoStream(new shared.Empty());
        else if (typeof expected === 'number') wrong.setExpectedRevision(String(expected));
        callback(null, new streams.AppendResp().setWrongExpectedVersion(wrong));
        return;
      }
      const stored = this.store(
        name,
        proposed.map((message) => ({
          id: uuidOf(message.getId()!),
          type: message.getMetadataMap().get('type') ?? '',
          contentType: message.getMetadataMap().get('content-type') ?? 'application/octet-stream',
          data: message.getData_asU8(),
          customMetadata: message.getCustomMetadata_asU8(),
        })),
      );
      const last = stored.at(-1)!;
      if (this.appendAnswerDelayMs) await sleep(this.appendAnswerDelayMs);
      const position = new streams.AppendResp.Position().setCommitPosition(String(last.position)).setPreparePosition(String(last.position));
      callback(
        null,
        new streams.AppendResp().setSuccess(
          new streams.AppendResp.Success().setCurrentRevision(String(last.revision)).setPosition(position),
        ),
      );
    });
  }

  /** Fails or hangs the call as `mode` says; true when it did. */
  private async misbehave(call: ReadCall | AppendCall, fail: (error: grpc.StatusObject & Error) => void): Promise<boolean> {
    if (this.delayMs) await sleep(this.delayMs);
    switch (this.mode) {
      case 'serving':
        return false;
      case 'silent':
        this.hanging.add(call);
        return true;
      case 'refusing':
        fail(withStatus(grpc.status.UNAVAILABLE, 'Server Is Not Ready'));
        return true;
      case 'denied':
        fail(withStatus(grpc.status.PERMISSION_DENIED, 'Access denied.', { exception: 'access-denied' }));
        return true;
      case 'not-leader':
        fail(
          withStatus(grpc.status.NOT_FOUND, 'Leader info available', {
            exception: 'not-leader',
            'leader-endpoint-host': this.leader.host,
            'leader-endpoint-port': String(this.leader.port),
          }),
        );
        return true;
    }
  }

  private store(streamName: string, proposed: Omit<StoredEvent, 'streamName' | 'revision' | 'position' | 'created'>[]): StoredEvent[] {
    let revision = this.heads.get(streamName) ?? -1;
    const stored = proposed.map((event) => {
      const position = this.nextPosition;
      this.nextPosition += 100 + event.data.length + event.customMetadata.length; // byte offsets, as a real log's
      return { ...event, streamName, revision: ++revision, position, created: BigInt(Date.now()) * 10_000n };
    });
    this.events.push(...stored);
    this.heads.set(streamName, revision);
    for (const subscriber of this.subscribers)
      for (const event of stored)
        if (!subscriber.prefixes.length || subscriber.prefixes.some((prefix) => event.streamName.startsWith(prefix)))
          subscriber.call.write(readResp(event));
    return stored;
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

function uuidOf(uuid: shared.UUID): string {
  if (uuid.hasString()) return uuid.getString();
  // the structured form: two signed 64-bit halves
  const structured = uuid.getStructured()!;
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const all = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
}

function withStatus(code: grpc.status, details: string, exception: Record<string, string> = {}): grpc.StatusObject & Error {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(exception)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
