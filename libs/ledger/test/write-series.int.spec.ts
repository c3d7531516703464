import { WorkingCalendar, type ComplaintCommand } from '@complaint-ledger/domain';
import { complaintStream, MemoryEventStore, StoreUnavailable, type RecordedEvent } from '@complaint-ledger/event-store';
import { COMPLAINT_ID, receiveCommand } from '../../domain/test/support/builders';
import { CommandRefused, WritePath, type CommandRequest, type SeriesOutcome } from '../src';
import { clearTextCipher } from './support/clear-text-cipher';

/**
 * A complaint's commands as one series (the import's way: decided in turn, appended together)
 * answer and record exactly what the same commands sent one by one do.
 */
const compliance = { rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } };
const stream = complaintStream(COMPLAINT_ID);

const writePathOn = (store: MemoryEventStore) =>
  new WritePath({ store, clock: () => '2024-06-01T10:00:00.000Z', personalData: clearTextCipher(), clockSkewMs: 300_000, compliance });

const call = (occurredAt: string, summary: string): ComplaintCommand => ({
  type: 'RecordCorrespondence',
  data: { occurredAt, direction: 'inbound', party: 'resident', channel: 'phone', summary },
});

const commands: ComplaintCommand[] = [
  receiveCommand(),
  { type: 'AcknowledgeComplaint', data: { stage: 1, acknowledgedAt: '2024-05-02T09:00:00+01:00', complaintDefinition: 'The leak' } },
  call('2024-04-01T09:00:00+01:00', 'a call a month before the complaint was made'), // refused: before receipt
  call('2024-05-03T09:00:00+01:00', 'the resident asked for an update'),
];

/** Each command as an imported row: its retry key names the fact, its provenance the row. */
const requestsOf = (list: readonly ComplaintCommand[]): CommandRequest[] =>
  list.map((command, index) => ({
    complaintId: COMPLAINT_ID,
    command,
    actor: 'import:test',
    correlationId: 'import-1',
    retry: { idempotencyKey: `import:fact-${index}`, request: { method: 'IMPORT', path: `/v1/complaints/${COMPLAINT_ID}`, body: command } },
    provenance: { importId: 'import-1', sourceSha256: 'f'.repeat(64), row: index + 2 },
    follow: true,
  }));

/** What the stream holds, without what differs between two stores by nature (positions and record times). */
const recorded = (events: readonly RecordedEvent[]) =>
  events.map(({ eventId, type, data, revision, metadata: { idempotencyKey, requestHash, provenance, actor, occurredAt } }) => ({
    eventId,
    type,
    data,
    revision,
    metadata: { idempotencyKey, requestHash, provenance, actor, occurredAt },
  }));

const oneByOne = async (write: WritePath, requests: readonly CommandRequest[]): Promise<SeriesOutcome[]> => {
  const answers: SeriesOutcome[] = [];
  for (const request of requests) {
    try {
      answers.push({ outcome: await write.execute(request) });
    } catch (error) {
      if (!(error instanceof CommandRefused)) throw error;
      answers.push({ failed: error });
    }
  }
  return answers;
};

/** An answer as compared: what was recorded at which revision, or the rule that refused it. */
const shown = (answer: SeriesOutcome) =>
  'outcome' in answer
    ? {
        revision: answer.outcome.revision,
        recorded: answer.outcome.recorded,
        replayed: answer.outcome.replayed,
        state: answer.outcome.state,
      }
    : { refused: (answer.failed as CommandRefused).reason.code };

describe('a complaint commands as one series', () => {
  it('given a new complaint, when its commands go as a series, then one append records what the commands one by one record, and answers the same', async () => {
    const alone = new MemoryEventStore();
    const expected = await oneByOne(writePathOn(alone), requestsOf(commands));
    const store = new MemoryEventStore();
    const append = jest.spyOn(store, 'append');

    const answers = await writePathOn(store).executeSeries(COMPLAINT_ID, requestsOf(commands));

    expect(append).toHaveBeenCalledTimes(1);
    expect(answers.map(shown)).toEqual(expected.map(shown));
    expect(answers.map(shown)[2]).toEqual({ refused: expect.stringMatching(/BEFORE/) });
    expect(recorded(await store.readStream(stream))).toEqual(recorded(await alone.readStream(stream)));
  });

  it('given one of the facts already in the stream (an interrupted run), then the series goes one by one: that one is a retry, the rest recorded once', async () => {
    const store = new MemoryEventStore();
    const write = writePathOn(store);
    const requests = requestsOf(commands);
    await write.execute(requests[0]!);
    await write.execute(requests[1]!);

    const answers = await write.executeSeries(COMPLAINT_ID, requests);

    expect(answers.map(shown).map((answer) => ('replayed' in answer ? answer.replayed : answer.refused))).toEqual([
      true,
      true,
      expect.stringMatching(/BEFORE/),
      false,
    ]);
    expect((await store.readStream(stream)).map((event) => event.metadata.idempotencyKey)).toEqual([
      'import:fact-0',
      'import:fact-1',
      'import:fact-3',
    ]);
  });

  it('given another writer appends after the series was given the stream, then the series reads it again and decides after it', async () => {
    const store = new MemoryEventStore();
    const write = writePathOn(store);
    const [receive, ...rest] = requestsOf(commands);
    const first = await write.execute(receive!);
    const other = writePathOn(store);
    await other.execute({
      ...requestsOf([call('2024-05-02T15:00:00+01:00', 'another system')])[0]!,
      retry: undefined,
      provenance: undefined,
    });

    // the caller's copy is the complaint after its receipt: stale by one event
    const known = { state: first.state ?? null, revision: first.revision, retryUnseen: true };
    const answers = await write.executeSeries(
      COMPLAINT_ID,
      rest.map((request, index) => (index === 0 ? { ...request, known } : request)),
    );

    expect(answers.map(shown).map((answer) => ('revision' in answer ? answer.revision : answer.refused))).toEqual([
      2,
      expect.stringMatching(/BEFORE/),
      3,
    ]);
    expect((await store.readStream(stream)).map((event) => event.type)).toEqual([
      'ComplaintReceived',
      'CorrespondenceRecorded',
      'Acknowledged',
      'CorrespondenceRecorded',
    ]);
  });

  it('given the store fails on the append, then nothing of the series is recorded and the failure is thrown', async () => {
    const store = new MemoryEventStore();
    store.append = () => Promise.reject(new StoreUnavailable('the disk is full'));

    const failed = await writePathOn(store)
      .executeSeries(COMPLAINT_ID, requestsOf(commands))
      .catch((error: unknown) => error);

    expect(failed).toBeInstanceOf(StoreUnavailable);
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('given a retry key a series may not carry, then each command is answered as execute answers it, and nothing is recorded', async () => {
    const store = new MemoryEventStore();
    // an import's key prefix on a request that is not an import's (no provenance): a key reused, as execute says
    const requests = requestsOf(commands).map(({ provenance: _, ...request }) => request);

    const answers = await writePathOn(store).executeSeries(COMPLAINT_ID, requests);

    expect(answers.map((answer) => ('failed' in answer ? answer.failed.name : 'recorded'))).toEqual(
      requests.map(() => 'IdempotencyKeyReused'),
    );
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('refuses a series that spans complaints or carries If-Match: it is one complaint, decided in turn', () => {
    const write = writePathOn(new MemoryEventStore());
    const [receive] = requestsOf(commands);

    expect(() => write.executeSeries(COMPLAINT_ID, [{ ...receive!, complaintId: 'another' }])).toThrow(/one complaint/);
    expect(() => write.executeSeries(COMPLAINT_ID, [{ ...receive!, ifMatch: 0 }])).toThrow(/If-Match/);
  });
});
