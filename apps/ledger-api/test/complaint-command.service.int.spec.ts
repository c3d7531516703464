import { complaintStream, MemoryEventStore, StoreUnavailable } from '@complaint-ledger/event-store';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import type { LedgerConfig } from '../src/config/ledger-config';
import { CommandMetrics } from '../src/health/metrics';
import { ProblemException } from '../src/http/problem';
import { ComplaintCommandService, type CommandRequest } from '../src/complaints/complaint-command.service';
import { COMPLAINT_ID, receiveCommand } from '../../../libs/domain/test/support/builders';

const complaintId = COMPLAINT_ID;
const receive = receiveCommand();
const request: CommandRequest = { complaintId, command: receive, actor: 'api-key:test', correlationId: 'c-1', newStream: true };

/** A cipher that encrypts nothing; `keysDurable` stands for its data keys' fsync (null: nothing to wait for). */
function serviceOn(store: MemoryEventStore, keysDurable: () => Promise<void> | null = () => null) {
  const passThrough = { protect: (event: { data: object }) => event.data, keysDurable } as unknown as PersonalDataCipher;
  const config = { LEDGER_CLOCK_SKEW_SECONDS: 300 } as LedgerConfig;
  return new ComplaintCommandService(store, () => '2024-05-01T10:05:00.000Z', config, passThrough, new CommandMetrics());
}

describe('ComplaintCommandService: a resident new data key is on disk before data encrypted under it', () => {
  it('given the key not yet synced, when received, appends only once the key is durable', async () => {
    const store = new MemoryEventStore();
    const append = jest.spyOn(store, 'append');
    let synced!: () => void;
    const keySync = new Promise<void>((resolve) => (synced = resolve));

    const outcome = serviceOn(store, () => keySync).execute(request);
    await new Promise((resolve) => setImmediate(resolve));
    expect(append).not.toHaveBeenCalled();
    synced();

    expect(await outcome).toMatchObject({ revision: 0 });
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('given the key file cannot be synced, when received, refuses with that error and appends nothing', async () => {
    const store = new MemoryEventStore();
    const failure = new StoreUnavailable('the data-key file could not be synced to disk: EIO');

    const refused = await serviceOn(store, () => Promise.reject(failure))
      .execute(request)
      .catch((error: unknown) => error);

    expect(refused).toBe(failure);
    expect(await store.readStream(complaintStream(complaintId))).toEqual([]);
  });
});

describe('ComplaintCommandService: a complaint id made for the request (newStream)', () => {
  it('given no stream, when received, appends at revision 0 without reading the stream first', async () => {
    const store = new MemoryEventStore();
    const read = jest.spyOn(store, 'readStream');

    const outcome = await serviceOn(store).execute(request);

    expect(outcome).toEqual({ id: complaintId, revision: 0, replayed: false });
    expect(read).not.toHaveBeenCalled();
    expect((await store.readStream(complaintStream(complaintId))).map((e) => e.type)).toEqual(['ComplaintReceived']);
  });

  it('given the stream exists after all, when received, reads it on the retry and refuses with a conflict, writing nothing', async () => {
    const store = new MemoryEventStore();
    await serviceOn(store).execute({ ...request, newStream: false });

    const refused = await serviceOn(store)
      .execute(request)
      .catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(ProblemException);
    expect((refused as ProblemException).problem).toMatchObject({ status: 409, code: 'COMPLAINT.ALREADY_EXISTS' });
    expect(await store.readStream(complaintStream(complaintId))).toHaveLength(1);
  });
});
