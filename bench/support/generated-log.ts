import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, occurredAtOf, toInstant, type ComplaintEvent } from '@complaint-ledger/domain';
import { complaintStream, type SqliteEventStore } from '@complaint-ledger/event-store';

/** Generated logs for the benchmarks: appended through the store port, never over HTTP. */

export const envelope = (event: ComplaintEvent) => ({
  eventId: randomUUID(),
  type: event.type,
  data: event.data,
  metadata: { occurredAt: occurredAtOf(event), actor: 'bench', correlationId: randomUUID(), schemaVersion: EVENT_SCHEMA_VERSION },
});

/**
 * A complaint's whole life: received, acknowledged, two calls, answered, escalated, acknowledged,
 * answered; received `day` days (modulo `spanDays`) after `from`.
 */
export function lifecycle(complaintId: string, day: number, from = Date.UTC(2024, 3, 1), spanDays = 700): ComplaintEvent[] {
  const date = new Date(from + (day % spanDays) * 86_400_000).toISOString().slice(0, 10);
  const at = (offsetDays: number, hour: number) =>
    toInstant(`${new Date(Date.parse(date) + offsetDays * 86_400_000).toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`);
  const tenure = day % 5 === 0 ? 'LCHO' : 'LCRA';
  return [
    {
      type: 'ComplaintReceived',
      data: {
        complaintId,
        receivedAt: at(0, 10),
        channel: 'email',
        tenure,
        category: 'repairs',
        summary: 'Leak',
        resident: { reference: 'R' },
      },
    },
    { type: 'Acknowledged', data: { complaintId, stage: 1, acknowledgedAt: at(1, 10), complaintDefinition: 'Leak' } },
    {
      type: 'CorrespondenceRecorded',
      data: { complaintId, occurredAt: at(2, 11), direction: 'inbound', party: 'resident', channel: 'phone', summary: 'Call' },
    },
    {
      type: 'CorrespondenceRecorded',
      data: { complaintId, occurredAt: at(3, 11), direction: 'outbound', party: 'resident', channel: 'phone', summary: 'Call' },
    },
    {
      type: 'Responded',
      data: {
        complaintId,
        stage: 1,
        respondedAt: at(8, 12),
        decision: 'upheld',
        reasons: 'Late',
        remedyIds: [],
        outstandingActions: [],
        escalationRightsGiven: true,
      },
    },
    { type: 'Escalated', data: { complaintId, requestedAt: at(10, 9) } },
    { type: 'Acknowledged', data: { complaintId, stage: 2, acknowledgedAt: at(11, 9), complaintDefinition: 'Leak' } },
    {
      type: 'Responded',
      data: {
        complaintId,
        stage: 2,
        respondedAt: at(20, 12),
        decision: 'upheld',
        reasons: 'Late',
        remedyIds: [],
        outstandingActions: [],
        escalationRightsGiven: true,
      },
    },
  ] as ComplaintEvent[];
}

/** Appends streams with many writers at once, so group commit makes generation quick. */
export async function generate(store: SqliteEventStore, count: number, make: (i: number) => ComplaintEvent[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const life = make(i);
        await store.append(complaintStream((life[0]!.data as { complaintId: string }).complaintId), life.map(envelope), 'no_stream');
      }
    }),
  );
}
