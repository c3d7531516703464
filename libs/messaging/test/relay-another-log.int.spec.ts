import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComplaintFacts, many, record, testReadSide } from '../../projections/test/support/ledger';
import { InProcessPublisher } from '../src';
import { relayOnAServer } from './support/relay-on-a-server';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * Found by a helper attacking EventStoreDB: read models (and the relay's checkpoint beside them, relay_checkpoints) kept on disk from
 * another EventStoreDB's log. The projections runner sees the other log and rebuilds; the relay keeps
 * the other log's position: the shared position stream (duties-relay-*) of the new server is empty,
 * so `resume()` left the file's. Its read of $all from a position where no record of this log starts
 * was refused (InvalidPosition) on every round: nothing of the new log was ever published.
 */
it("a relay whose read models were built from another server's log publishes the new log", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-other-log-'));
  const path = join(dir, 'read-models.sqlite');
  const quiet = { logger: { warn: () => undefined } };

  // the first server: a longer log, published
  const a = await EventStoreDbStandIn.start();
  const storeA = EventStoreDbEventStore.connect(a.connectionString, quiet);
  await record(storeA, ...many(6, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
  const sideA = testReadSide(storeA, path);
  await sideA.runner.catchUp();
  const publishedA = new InProcessPublisher();
  const relayA = relayOnAServer(storeA, sideA, publishedA);
  expect(await relayA.publishPending({ figures: false })).toBeGreaterThan(0);
  await sideA.stop();
  await storeA.close();
  await a.stop();

  // another server (a new cluster, a restore of another's backup): other contents, other positions; the same folder
  const b = await EventStoreDbStandIn.start();
  const storeB = EventStoreDbEventStore.connect(b.connectionString, quiet);
  try {
    await record(storeB, new ComplaintFacts().received('2024-09-02T10:00', 'LCHO'));
    const inB = await storeB.readAll(-1, 1000);
    const sideB = testReadSide(storeB, path);
    await sideB.runner.catchUp(); // rebuilds: "built from a log that held an event at position … which this log does not hold"
    expect(sideB.runner.position).toBe(inB.at(-1)!.position);
    const publishedB = new InProcessPublisher();
    const relayB = relayOnAServer(storeB, sideB, publishedB);
    // the relay publishes this log's events (or at least says it cannot): here it fails every round with
    // "EventStoreDB could not read $all: … InvalidPosition", never recovering
    await expect(relayB.publishPending({ figures: false })).resolves.toBe(inB.length);
    await sideB.stop();
  } finally {
    await storeB.close();
    await b.stop();
  }
});

it("a relay whose read models were built from another server's (shorter) log publishes every event of the new log: none silently passed over", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-other-log-'));
  const path = join(dir, 'read-models.sqlite');
  const quiet = { logger: { warn: () => undefined } };

  // the first server: a longer log, published
  const a = await EventStoreDbStandIn.start();
  const storeA = EventStoreDbEventStore.connect(a.connectionString, quiet);
  await record(storeA, new ComplaintFacts().received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00'));
  const sideA = testReadSide(storeA, path);
  await sideA.runner.catchUp();
  const publishedA = new InProcessPublisher();
  const relayA = relayOnAServer(storeA, sideA, publishedA);
  expect(await relayA.publishPending({ figures: false })).toBeGreaterThan(0);
  await sideA.stop();
  await storeA.close();
  await a.stop();

  // another server (a new cluster, a restore of another's backup): other contents, other positions; the same folder
  const b = await EventStoreDbStandIn.start();
  const storeB = EventStoreDbEventStore.connect(b.connectionString, quiet);
  try {
    await record(storeB, ...many(6, (c) => c.received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00')));
    const inB = await storeB.readAll(-1, 1000);
    const sideB = testReadSide(storeB, path);
    await sideB.runner.catchUp(); // rebuilds: "built from a log that held an event at position … which this log does not hold"
    expect(sideB.runner.position).toBe(inB.at(-1)!.position);
    const publishedB = new InProcessPublisher();
    const relayB = relayOnAServer(storeB, sideB, publishedB);
    // positions are byte offsets and logs begin alike, so the other log's relay position is a record start here too:
    // the read succeeds after it, and this log's events before it are never published
    await expect(relayB.publishPending({ figures: false })).resolves.toBe(inB.length);
    await sideB.stop();
  } finally {
    await storeB.close();
    await b.stop();
  }
});
