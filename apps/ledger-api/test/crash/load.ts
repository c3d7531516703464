import { CHECKPOINT_STREAM, WorkingCalendar } from '@complaint-ledger/domain';
import { SqliteEventStore, verifyChain, type RecordedEvent } from '@complaint-ledger/event-store';
import { DataKeyStore, keyIdOf } from '@complaint-ledger/privacy';
import { ReadSide } from '@complaint-ledger/projections';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { complaintBody, KEYS, TEST_MASTER_KEY } from '../support';

/** One command a writer sent, and what it was told. */
export interface Sent {
  readonly key: string;
  readonly kind: 'receive' | 'acknowledge';
  /** When it was sent (ms since the epoch). */
  readonly sentAt: number;
  /** A 2xx came back: the command must be in the log, once. */
  acknowledged: boolean;
  /** The status of the answer, if one came. */
  status?: number;
}

/**
 * Writers sending commands with Idempotency-Keys to `base` until `stop()` (or the process dies
 * under them): complaints from new residents (so data keys are made mid-load) and acknowledgements.
 */
export async function drive(base: string, sent: Sent[], complaints: string[], stop: () => boolean, writers = 16): Promise<void> {
  const writer = async () => {
    while (!stop()) {
      const acknowledge = complaints.length > 0 && Math.random() < 0.3;
      const entry: Sent = { key: randomUUID(), kind: acknowledge ? 'acknowledge' : 'receive', sentAt: Date.now(), acknowledged: false };
      sent.push(entry);
      const id = acknowledge ? complaints.splice(Math.floor(Math.random() * complaints.length), 1)[0] : undefined;
      const path = id ? `/v1/complaints/${id}/acknowledgements` : '/v1/complaints';
      const newResident = { resident: { reference: `RES-${randomUUID()}`, name: 'Sam Resident' } };
      const body = id ? { stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' } : complaintBody(newResident);
      try {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEYS.case_handler, 'idempotency-key': entry.key },
          body: JSON.stringify(body),
        });
        entry.status = response.status;
        if (response.ok) {
          entry.acknowledged = true;
          if (!id) complaints.push(((await response.json()) as { id: string }).id);
        }
      } catch {
        return; // the process was killed: this writer's last command may or may not be in the log
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}

/** The log's events other than checkpoints, by idempotency key. */
export async function eventsByKey(store: SqliteEventStore): Promise<{ log: RecordedEvent[]; byKey: Map<string, RecordedEvent[]> }> {
  const everything = await store.readAll(-1, 10_000_000);
  const log = everything.filter((event) => event.streamId !== CHECKPOINT_STREAM);
  const byKey = new Map<string, RecordedEvent[]>();
  for (const event of log) {
    const key = event.metadata.idempotencyKey ?? '(none)';
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  return { log, byKey };
}

/**
 * What the files of `folder` must show after any crash: every acknowledged command in the log
 * exactly once, nothing there that was never sent, every complaint's chain intact, every
 * resident's data key in the key file, and the read models kept through it all equal to a
 * rebuild from zero. Returns the counts, for the test's own report.
 */
export async function expectNothingLost(folder: string, sent: readonly Sent[]): Promise<{ events: number; complaints: number }> {
  const store = new SqliteEventStore(join(folder, 'ledger.sqlite'));
  try {
    const { log, byKey } = await eventsByKey(store);
    const missing = sent.filter((entry) => entry.acknowledged && byKey.get(entry.key)?.length !== 1);
    expect(missing.map((entry) => [entry.key, byKey.get(entry.key)?.length ?? 0])).toEqual([]); // exactly once
    const sentKeys = new Set(sent.map((entry) => entry.key));
    expect([...byKey.keys()].filter((key) => !sentKeys.has(key))).toEqual([]); // nothing that was never sent
    const streams = new Set(log.map((event) => event.streamId));
    for (const stream of streams) expect(verifyChain(await store.readStream(stream))).toMatchObject({ valid: true });
    const keys = new DataKeyStore(join(folder, 'keys.sqlite'), Buffer.from(TEST_MASTER_KEY, 'base64'));
    try {
      const received = log.filter((event) => event.type === 'ComplaintReceived');
      const keyIds = received.map((event) => keyIdOf((event.data as { resident: { name: string } }).resident.name)!);
      expect(keyIds.filter((keyId) => keys.find(keyId) === null)).toEqual([]);
    } finally {
      keys.close();
    }
    await expectReadModelsAsRebuilt(store, join(folder, 'projections.sqlite'));
    return { events: log.length, complaints: streams.size };
  } finally {
    await store.close();
  }
}

/** The read models kept in `path` (caught up first) equal a rebuild of the whole log from zero. */
export async function expectReadModelsAsRebuilt(store: SqliteEventStore, path: string): Promise<void> {
  const options = { store, rules: { calendar: new WorkingCalendar() }, alerts: { warningWorkingDays: 2 } };
  const kept = new ReadSide({ ...options, path });
  const rebuilt = new ReadSide({ ...options, path: `${path}-rebuilt-${randomUUID()}` });
  try {
    await kept.runner.catchUp(); // nothing left to apply if the service caught up before stopping
    await rebuilt.runner.rebuild();
    expect(kept.runner.dump()).toBe(rebuilt.runner.dump());
  } finally {
    await kept.stop();
    await rebuilt.stop();
  }
}
