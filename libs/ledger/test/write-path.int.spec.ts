import { foldEvents, WorkingCalendar } from '@complaint-ledger/domain';
import { clearTextCipher } from './support/clear-text-cipher';
import { complaintStream, MemoryEventStore, StoreUnavailable } from '@complaint-ledger/event-store';
import { COMPLAINT_ID, receiveCommand } from '../../domain/test/support/builders';
import { CommandRefused, WritePath, type CommandRequest } from '../src';

const complaintId = COMPLAINT_ID;
const receive = receiveCommand();
const request: CommandRequest = {
  complaintId,
  command: receive,
  actor: 'api-key:test',
  correlationId: 'c-1',
  known: { state: null, revision: -1 },
};
const compliance = { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } };

/** The write path with a cipher that encrypts nothing; `keysDurable` stands for its data keys' fsync (null: nothing to wait for). */
function writePathOn(store: MemoryEventStore, keysDurable: () => Promise<void> | null = () => null, now = '2024-05-01T10:05:00.000Z') {
  const passThrough = clearTextCipher(keysDurable);
  const write = new WritePath({ store, clock: () => now, personalData: passThrough, clockSkewMs: 300_000, compliance });
  return { execute: (r: CommandRequest) => write.execute(r) };
}

describe('the write path: a resident new data key is on disk before data encrypted under it', () => {
  it('given the key not yet synced, when received, appends only once the key is durable', async () => {
    const store = new MemoryEventStore();
    const append = jest.spyOn(store, 'append');
    let synced!: () => void;
    const keySync = new Promise<void>((resolve) => (synced = resolve));

    const outcome = writePathOn(store, () => keySync).execute(request);
    await new Promise((resolve) => setImmediate(resolve));
    expect(append).not.toHaveBeenCalled();
    synced();

    expect(await outcome).toMatchObject({ revision: 0 });
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('given the key file cannot be synced, when received, refuses with that error and appends nothing', async () => {
    const store = new MemoryEventStore();
    const failure = new StoreUnavailable('the data-key file could not be synced to disk: EIO');

    const refused = await writePathOn(store, () => Promise.reject(failure))
      .execute(request)
      .catch((error: unknown) => error);

    expect(refused).toBe(failure);
    expect(await store.readStream(complaintStream(complaintId))).toEqual([]);
  });
});

describe('the write path: a complaint id made for the request (known: no stream)', () => {
  it('given no stream, when received, appends at revision 0 without reading the stream first', async () => {
    const store = new MemoryEventStore();
    const read = jest.spyOn(store, 'readStream');

    const outcome = await writePathOn(store).execute(request);

    expect(outcome).toEqual({ id: complaintId, revision: 0, position: 0, recorded: ['ComplaintReceived'], replayed: false });
    expect(read).not.toHaveBeenCalled();
    expect((await store.readStream(complaintStream(complaintId))).map((e) => e.type)).toEqual(['ComplaintReceived']);
  });

  it('given the stream exists after all, when received, reads it on the retry and refuses with a conflict, writing nothing', async () => {
    const store = new MemoryEventStore();
    await writePathOn(store).execute({ ...request, known: undefined });

    const refused = await writePathOn(store)
      .execute(request)
      .catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(CommandRefused);
    expect((refused as CommandRefused).reason).toMatchObject({ kind: 'conflict', code: 'COMPLAINT.ALREADY_EXISTS' });
    expect(await store.readStream(complaintStream(complaintId))).toHaveLength(1);
  });
});

describe('the write path: facts the ledger records itself', () => {
  const late = '2024-05-13T08:00:00.000Z'; // the acknowledgement was due by the end of Thu 9 May
  const sweep = (store: MemoryEventStore) =>
    writePathOn(store, () => null, late).execute({
      complaintId,
      command: { type: 'RecordDeadlineAlerts', data: { asOf: late } },
      actor: 'ledger:breach-detector',
      correlationId: 'sweep-1',
    });

  it('given a late acknowledgement, the detector records the breach once; a second sweep records nothing and appends nothing', async () => {
    const store = new MemoryEventStore();
    await writePathOn(store).execute(request);

    expect(await sweep(store)).toMatchObject({ revision: 1, recorded: ['DeadlineBreached'] });
    const append = jest.spyOn(store, 'append');
    expect(await sweep(store)).toMatchObject({ revision: 1, recorded: [] });
    expect(append).not.toHaveBeenCalled();
    const stream = await store.readStream(complaintStream(complaintId));
    expect(stream.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['ComplaintReceived', 'api-key:test'],
      ['DeadlineBreached', 'ledger:breach-detector'],
    ]);
  });

  it('two detectors deciding on the same revision: one appends, the other re-reads, re-decides and records nothing', async () => {
    const store = new MemoryEventStore();
    await writePathOn(store).execute(request);
    const known = { state: foldEvents([{ type: 'ComplaintReceived', data: receive.data } as never]), revision: 0 };

    const outcomes = await Promise.all([1, 2].map(() => sweep(store)));
    const racing = await writePathOn(store, () => null, late).execute({
      complaintId,
      command: { type: 'RecordDeadlineAlerts', data: { asOf: late } },
      actor: 'ledger:breach-detector',
      correlationId: 'sweep-2',
      known, // a read model behind the log: decided on revision 0, the append conflicts, the retry reads the stream
    });

    expect(outcomes.flatMap((o) => o.recorded)).toEqual(['DeadlineBreached']);
    expect(racing.recorded).toEqual([]);
    expect((await store.readStream(complaintStream(complaintId))).filter((e) => e.type === 'DeadlineBreached')).toHaveLength(1);
  });
});

describe('the write path: concurrent commands on one complaint', () => {
  const note = (i: number): CommandRequest => ({
    complaintId,
    command: {
      type: 'RecordCorrespondence',
      data: { occurredAt: '2024-05-01T10:00:00Z', direction: 'inbound', party: 'resident', channel: 'phone', summary: `call ${i}` },
    },
    actor: 'api-key:test',
    correlationId: `c-${i}`,
  });

  it('given one process, 50 commands at once without If-Match all succeed, in turn, with no conflict to retry', async () => {
    const store = new MemoryEventStore();
    const write = writePathOn(store);
    await write.execute(request);
    const append = jest.spyOn(store, 'append');

    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => write.execute(note(i))));

    expect(outcomes.map((o) => o.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(append).toHaveBeenCalledTimes(50); // each appended once: none lost a race and tried again
  });

  it('given two processes on one store, 20 commands each at once all succeed, retrying after a random wait', async () => {
    const store = new MemoryEventStore();
    const [one, two] = [writePathOn(store), writePathOn(store)];
    await one.execute(request);

    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).execute(note(i))));

    expect(new Set(outcomes.map((o) => o.revision)).size).toBe(40);
    const state = foldEvents((await store.readStream(complaintStream(complaintId))).map((e) => ({ type: e.type, data: e.data }) as never));
    expect(state?.correspondenceCount).toBe(40);
  });
});
