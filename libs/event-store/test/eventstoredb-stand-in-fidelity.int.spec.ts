import { randomUUID } from 'node:crypto';
import * as EventStoreDb from '@eventstore/db-client';
import { EventStoreDbEventStore, StoreUnavailable } from '../src';
import { newEvent } from './contract';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * What a real KurrentDB / EventStoreDB node does that the adapter depends on, each spec stating
 * where that was read: the stand-in must answer so, or the adapter's wire tests cannot see the
 * difference. Sources are KurrentDB's own code
 * (github.com/kurrent-io/KurrentDB, tag v26.1.0 unless said; paths below src/KurrentDB.Core/) and the
 * clients in node_modules. Only `@eventstore/db-client` is loaded here (one client per process:
 * eventstoredb-clients.ts); both clients send the same requests for everything below. Each was
 * found answered otherwise by the stand-in, and the adapter's dependence on it mended.
 */
describe('the stand-in answers as a real server does', () => {
  let server: EventStoreDbStandIn;
  let client: EventStoreDb.EventStoreDBClient;
  const opened: EventStoreDbEventStore[] = [];
  beforeEach(async () => {
    server = await EventStoreDbStandIn.start();
    client = EventStoreDb.EventStoreDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
    await client.dispose();
    await server.stop();
  });
  const open = () => {
    const store = EventStoreDbEventStore.connect(server.connectionString, { logger: { warn: () => undefined } });
    opened.push(store);
    return store;
  };
  const drain = async <T>(read: AsyncIterable<T>): Promise<T[]> => {
    const all: T[] = [];
    for await (const item of read) all.push(item);
    return all;
  };

  /**
   * A position in `$all` is a byte offset in the transaction file: a read starts by parsing a log
   * record at exactly that offset. One that is not where a record starts (one byte before an event,
   * or a position taken from another log) makes the chunk reader throw InvalidReadException /
   * UnableToReadPastEndOfStreamException (TransactionLog/Chunks/TFChunk/TFChunkReadSide.cs,
   * ValidateRecordLength / ValidatePrefixSuffixLength); StorageReaderWorker.All.cs answers
   * ReadAllResult.InvalidPosition, Enumerator.ReadAllForwards.cs turns that into UnknownError and
   * the gRPC call fails with StatusCode.Unknown ("Unexpected ReadAllResult: InvalidPosition >> ...").
   * Maintainers: "this means the server has received a nonsense position as the start of the read
   * all operation (i.e. into the middle of a record)" (kurrent-io/KurrentDB#694; #3991, #3963).
   * The stand-in compares numbers, so every position works there.
   */
  describe('reading $all from a position where no record starts', () => {
    it('is refused by the server (the client rejects the read), not answered with the events after it', async () => {
      const stream = `complaint-${randomUUID()}`;
      await client.appendToStream(stream, [
        EventStoreDb.jsonEvent({ type: 'A', data: {} }),
        EventStoreDb.jsonEvent({ type: 'B', data: {} }),
      ]);
      const [first] = await drain(client.readStream(stream));
      const commit = first!.event!.position!.commit;
      const read = drain(
        client.readAll({ direction: 'forwards', fromPosition: { commit: commit - 1n, prepare: commit - 1n }, maxCount: 10 }),
      );
      await expect(read).rejects.toThrow(/InvalidPosition/);
    });

    /**
     * The adapter hands the port's "after this position" to the server as the position to read
     * from, so `readAll(p - 1, ...)` is such a read: the port asks only positions the store gave.
     * The projections runner's check that its read models belong to this log asked exactly that at
     * every start (against a real server: unavailable, retried for ever, the read models never
     * caught up); it now asks `readAt`, which finds nothing at a position another log gave.
     */
    it("so the adapter's readAll(position - 1) is refused, and readAt finds nothing there rather than failing", async () => {
      const store = open();
      const stream = `complaint-${randomUUID()}`;
      const written = await store.append(stream, [newEvent()], 'no_stream');
      await expect(store.readAll(written.position - 1, 1)).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(store.readAt(written.position - 1)).resolves.toBeUndefined();
      await expect(store.readAt(written.position)).resolves.toMatchObject({ streamId: stream, revision: 0 });
    });
  });

  /**
   * `$maxCount` in a stream's metadata hides all but the last N events from reads at once
   * (Services/Storage/ReaderIndex/IndexReader.cs, ReadStreamEventsForwardInternal: minEventNumber =
   * lastEventNumber - MaxCount + 1, before any scavenge). The stand-in honoured only `$tb`, so the
   * duties' lease and relay streams and `clock-probes`, for which the adapter sets it (keepLast),
   * were read whole here and cut to 10 there.
   */
  it("reads only the last $maxCount events of a stream whose metadata sets it (the adapter's keepLast)", async () => {
    const store = open();
    const stream = `duties-lease-${randomUUID()}`;
    await store.keepLast(stream, 3);
    for (let i = 0; i < 5; i++) await store.append(stream, [newEvent()], i === 0 ? 'no_stream' : i - 1);
    expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([2, 3, 4]);
  });

  /**
   * Both clients send an append's deadline over BatchAppend as an instant by their own clock
   * (`deadline_21_10_0`, a Timestamp: @eventstore/db-client dist/streams/appendToStream/batchAppend.js
   * `options.setDeadline(Timestamp.fromDate(createDeadline(...)))`, field 6; @kurrent/kurrentdb-client
   * `setDeadline21100`), ignoring the `deadline_duration` feature the server lists. The server
   * measures it against its own clock (Services/Transport/Grpc/Streams.BatchAppend.cs,
   * GetRequestedTimeout: `Deadline21100.ToDateTime() - DateTime.UtcNow`, capped by its write
   * timeout) and answers `Status.Timeout` at once, writing nothing, when it has passed. So a writer
   * whose clock is behind the server's by more than the deadline (10 s by default) can append
   * nothing: the client throws DeadlineExceededError, which the adapter reports as an outcome
   * unknown, and ClockWatch's probe, itself an append, never measures the offset it exists to
   * catch. The stand-in ignored deadlines.
   */
  it("refuses an append whose deadline has passed by the server's clock (a writer's clock behind the server's)", async () => {
    server.clock = () => Date.now() + 60_000; // the server's clock a minute ahead of this process's
    const stream = `clock-probes-${randomUUID()}`;
    const appended = client.appendToStream(stream, [EventStoreDb.jsonEvent({ type: 'ClockProbed', data: {} })], { deadline: 10_000 });
    await expect(appended).rejects.toBeInstanceOf(EventStoreDb.DeadlineExceededError);
    expect(server.log.events.filter((event) => event.streamName === stream)).toEqual([]);
  });

  it('so the adapter sends its appends with room for the offset: they are made, and the clock watch can measure it', async () => {
    server.clock = () => Date.now() + 60_000;
    const store = open();
    const stream = `complaint-${randomUUID()}`;
    await expect(store.append(stream, [newEvent()], 'no_stream')).resolves.toMatchObject({ revision: 0, written: true });
    const [stored] = await store.readStream(stream);
    expect(Date.parse(stored!.storedAt!) - Date.now()).toBeGreaterThan(50_000); // the server's own stamp, a minute ahead
  });

  /**
   * A tombstone is a record of its own in the log (`$streamDeleted`, the stream's revision
   * EventNumber.DeletedStream), and the stream's events stay in `$all` until a scavenge
   * (AllReader.cs reads `PrepareFlags.Data | PrepareFlags.StreamDelete` records; decision 0028
   * says as much). The stand-in dropped both at once, so the adapter's `streamsNamed` (verify,
   * keys:rotate) never met a deleted key stream on the stand-in, though on a real server it meets
   * every erased resident's.
   */
  it("keeps a tombstoned stream's events, and the tombstone, in $all until a scavenge", async () => {
    const store = open();
    const id = `data-key-${randomUUID()}`;
    await store.append(id, [newEvent('DataKeyMade', { wrapped: 'w' })], 'no_stream');
    await store.tombstone(id);
    expect(await store.streamsNamed('data-key-')).toContain(id);
    const all = await drain(client.readAll({ direction: 'forwards', fromPosition: 'start', maxCount: 1000 }));
    expect(all.filter((resolved) => resolved.event?.streamId === id).map((resolved) => resolved.event!.type)).toEqual([
      'DataKeyMade',
      '$streamDeleted',
    ]);
  });
});
