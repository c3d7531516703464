import { EventStoreDbEventStore } from '@complaint-ledger/event-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComplaintFacts, many, record, testReadSide } from '../../projections/test/support/ledger';
import { InProcessPublisher } from '../src';
import { relayOnAServer } from './support/relay-on-a-server';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';

/**
 * Through @kurrent/kurrentdb-client (kurrentdb://, the client the configuration recommends for KurrentDB
 * 25+), a read of $all from a position inside this log where no record starts is passed on as
 * UnavailableError. readAt threw for it (only a position past the end was "nothing there"), and the
 * relay's local-position check then threw every round: the relay never published (found by a helper
 * reviewing). A position the server will not read from, again and again, while it answers a read of the
 * end, is now taken for another log's.
 */
it("a relay (kurrentdb://) whose read models' file holds another log's position, inside this log but at no record, publishes", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'review3-relay-kurrent-'));
  const path = join(dir, 'read-models.sqlite');
  const quiet = { logger: { warn: () => undefined } };

  const a = await EventStoreDbStandIn.start();
  const storeA = EventStoreDbEventStore.connect(a.connectionString.replace('esdb://', 'kurrentdb://'), quiet);
  await record(storeA, new ComplaintFacts().received('2024-06-03T10:00').acknowledged(1, '2024-06-04T10:00'));
  const sideA = testReadSide(storeA, path);
  await sideA.runner.catchUp();
  const relayA = relayOnAServer(storeA, sideA, new InProcessPublisher());
  await relayA.publishPending({ figures: false });
  const positionA = relayA.status().position;
  await sideA.stop();
  await storeA.close();
  await a.stop();

  const b = await EventStoreDbStandIn.start();
  const storeB = EventStoreDbEventStore.connect(b.connectionString.replace('esdb://', 'kurrentdb://'), quiet);
  try {
    // a longer log whose records fall elsewhere: first a complaint whose summary shifts every later position
    await record(
      storeB,
      ...many(8, (c) =>
        c.received('2024-09-02T10:00', 'LCHO', 'repairs-and-maintenance-with-a-longer-category-name-x').acknowledged(1, '2024-09-03T10:00'),
      ),
    );
    const inB = await storeB.readAll(-1, 1000);
    expect(inB.some((event) => event.position === positionA)).toBe(false); // no record of B starts there
    expect(inB.at(-1)!.position).toBeGreaterThan(positionA); // and it is inside B
    const sideB = testReadSide(storeB, path);
    const caught = await sideB.runner.catchUp().then(
      () => 'caught up',
      (e: Error) => e.message,
    );
    console.log('read models:', caught);
    const relayB = relayOnAServer(storeB, sideB, new InProcessPublisher());
    await expect(relayB.publishPending({ figures: false })).resolves.toBe(inB.length);
    await sideB.stop();
  } finally {
    await storeB.close();
    await b.stop();
  }
});
