import { WorkingCalendar } from '@complaint-ledger/domain';
import { clearTextCipher } from './support/clear-text-cipher';
import { EventStoreDbEventStore, MemoryEventStore } from '@complaint-ledger/event-store';
import { EventStoreDbStandIn } from '../../../tools/eventstore-stand-in/stand-in';
import { COMPLAINT_ID as complaintId, receiveCommand } from '../../domain/test/support/builders';
import { ClockOffset, WritePath } from '../src';
import { ClockWatch } from '../src/health/clock-watch';

/**
 * A process's clock against the event store's (decision 0029): a probe event appended between two
 * readings of this process's clock, read back with the server's own `created` time. The stand-in's
 * clock and the ledger's are each set by the test.
 */
const STORE_TIME = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let standIn: EventStoreDbStandIn;
let store: EventStoreDbEventStore;
let lines: { level: string; message: string }[];
const logger = {
  log: (message: string) => lines.push({ level: 'log', message }),
  warn: (message: string) => lines.push({ level: 'warn', message }),
  error: (message: string) => lines.push({ level: 'error', message }),
};
beforeEach(async () => {
  standIn = await EventStoreDbStandIn.start();
  standIn.clock = () => STORE_TIME;
  store = EventStoreDbEventStore.connect(standIn.connectionString);
  lines = [];
});
afterEach(async () => {
  await store.close();
  await standIn.stop();
});

/** A clock that reads `t0` then `t1` for each probe: this process's clock `aheadMs` ahead of the store's, the probe taking `roundTripMs`. */
const probingClock = (aheadMs: () => number, roundTripMs: number) => {
  let reads = 0;
  return () => iso(STORE_TIME + aheadMs() + (reads++ % 2 === 0 ? -roundTripMs / 2 : roundTripMs / 2));
};

it("estimates the store's clock less this process's as created − (t0 + t1) / 2, give or take (t1 − t0) / 2", async () => {
  const watch = ClockWatch.for(
    store,
    probingClock(() => 600_000, 400),
    2000,
    logger,
  );
  await watch.probe();
  expect(watch.check()).toEqual({
    status: 'beyond',
    offsetMs: -600_000,
    uncertaintyMs: 200,
    lastProbe: iso(STORE_TIME + 600_000 + 200),
    maxOffsetMs: 2000,
  });
  expect(watch.refusal).toBeInstanceOf(ClockOffset);
  expect(watch.refusal!.message).toBe(
    "this process's clock is 600000 ms ahead of the event store's (± 200 ms), beyond LEDGER_MAX_CLOCK_OFFSET_MS (2000 ms)",
  );
});

it("widens the uncertainty by the whole second a client may cut from the server's time (the KurrentDB client)", async () => {
  /** What @kurrent/kurrentdb-client 1.3 reads: `created` cut to whole seconds (libs/event-store/test/eventstoredb-wire.ts). */
  class WholeSeconds extends EventStoreDbEventStore {
    override get storedAtResolutionMs() {
      return 1000;
    }
    override async readStream(streamId: string) {
      const cut = (at: string) => iso(Math.floor(Date.parse(at) / 1000) * 1000);
      return (await super.readStream(streamId)).map((event) => ({ ...event, storedAt: cut(event.storedAt!) }));
    }
  }
  const coarse = new WholeSeconds((store as unknown as { client: ConstructorParameters<typeof EventStoreDbEventStore>[0] }).client);
  standIn.clock = () => STORE_TIME + 900; // read back as STORE_TIME
  const watch = ClockWatch.for(coarse, () => iso(STORE_TIME + 900), 2000, logger);
  await watch.probe();
  expect(watch.check()).toMatchObject({ status: 'within', offsetMs: -400, uncertaintyMs: 500 }); // the true offset, 0, within ± 500
});

it('gives the probe the benefit of its uncertainty: refused only when the offset less its uncertainty exceeds the setting', async () => {
  let behind = 2100; // this clock behind the store's
  const watch = ClockWatch.for(
    store,
    probingClock(() => -behind, 400),
    2000,
    logger,
  );
  await watch.probe();
  expect(watch.check()).toMatchObject({ status: 'within', offsetMs: 2100, uncertaintyMs: 200 });
  expect(watch.refusal).toBeNull();
  behind = 2300;
  await watch.probe();
  expect(watch.check()).toMatchObject({ status: 'beyond', offsetMs: 2300 });
  expect(watch.refusal?.message).toMatch(/2300 ms behind the event store's/);
});

it('resumes once a probe finds the clock back within bounds, and says so once per change', async () => {
  let ahead = 5_000;
  const watch = ClockWatch.for(
    store,
    probingClock(() => ahead, 0),
    2000,
    logger,
  );
  await watch.probe();
  await watch.probe();
  expect(lines.map((line) => line.level)).toEqual(['error']);
  expect(lines[0]!.message).toMatch(/5000 ms ahead .*refused \(503 CLOCK\.OFFSET\)/);
  ahead = 10;
  await watch.probe();
  await watch.probe();
  expect(watch.refusal).toBeNull();
  expect(watch.check()).toMatchObject({ status: 'within', offsetMs: -10, uncertaintyMs: 0 });
  expect(lines.map((line) => line.level)).toEqual(['error', 'log']);
  expect(lines[1]!.message).toMatch(/within 2000 ms .*writes resume/);
});

it("probes in a small stream of its own, outside the ledger's log", async () => {
  const watch = ClockWatch.for(store, () => iso(STORE_TIME), 2000, logger);
  for (let i = 0; i < 3; i++) await watch.probe();
  expect(await store.readAll(-1, 100)).toEqual([]); // the ledger's own streams only: nothing of the probes
  expect((await store.readStream('clock-probes')).map((event) => event.type)).toEqual(['ClockProbed', 'ClockProbed', 'ClockProbed']);
  const kept = standIn.log.events.find((event) => event.streamName === '$$clock-probes');
  expect(JSON.parse(Buffer.from(kept!.data).toString())).toEqual({ $maxCount: 10 });
});

it('keeps its last reading when the store cannot be reached, warning once', async () => {
  const watch = ClockWatch.for(
    store,
    probingClock(() => 5_000, 0),
    2000,
    logger,
  );
  await watch.probe();
  standIn.mode = 'refusing';
  await watch.probe();
  await watch.probe();
  expect(watch.check()).toMatchObject({ status: 'beyond', offsetMs: -5_000 });
  expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
});

it('has nothing to compare with a store on this host, and checks nothing with the setting 0', async () => {
  const local = ClockWatch.for(new MemoryEventStore(), () => iso(0), 2000, logger);
  await local.probe();
  expect(local.check()).toEqual({ status: 'not applicable' });
  const off = ClockWatch.for(store, () => iso(0), 0, logger);
  await off.probe();
  expect(off.check()).toEqual({ status: 'off' });
  expect(off.refusal).toBeNull();
  expect(standIn.log.events.filter((event) => event.streamName === 'clock-probes')).toEqual([]);
});

describe('the write path, while the clock is off', () => {
  const writePath = (clockWatch: { refusal: ClockOffset | null }) =>
    new WritePath({
      store,
      clock: () => iso(STORE_TIME),
      personalData: clearTextCipher(),
      clockSkewMs: 300_000,
      compliance: { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } },
      clockWatch,
    });
  const request = { complaintId, command: receiveCommand(), actor: 'tester', correlationId: 'k' };

  it('records nothing: commands and checkpoints are refused, naming the offset; once it is right they are recorded', async () => {
    const watch = { refusal: new ClockOffset(-600_000, 3, 2000) as ClockOffset | null };
    const write = writePath(watch);
    await expect(write.execute(request)).rejects.toThrow(ClockOffset);
    expect(() => write.recordCheckpoint({} as never)).toThrow(/600000 ms ahead/);
    expect(await store.readAll(-1, 100)).toEqual([]);
    watch.refusal = null;
    expect((await write.execute(request)).recorded).toEqual(['ComplaintReceived']);
  });
});
