import { alertsDue, EVENT_SCHEMA_VERSION, foldEvents, occurredAtOf, toInstant, type ComplaintState } from '@complaint-ledger/domain';
import { complaintStream, MemoryEventStore } from '@complaint-ledger/event-store';
import { randomUUID } from 'node:crypto';
import { alertProjection, complaintProjection, listAlerts, listComplaints, openReadModelDatabase, ProjectionRunner } from '../src';
import { ALERTS, ComplaintFacts, record, RULES } from './support/ledger';

/**
 * The complaints list at a business instant (asOf) must say what the complaint's own view and
 * `/v1/breaches` say at that instant (decisions 0017, 0018): a deadline not yet due then was not
 * breached then. A complaint acknowledged on 1 July 2024 and answered late on 30 August (stage 1
 * response due 15 July) was breached from 16 July; on 10 July it was not. The list at asOf 10 July
 * counted the breach the sweep recorded later (the live `breaches` column), so `breached=true`
 * listed it, while `/v1/breaches?asOf=` (deadlines due by then) lists nothing for it.
 */
describe('the complaints list at asOf: breaches as they stood then', () => {
  const store = new MemoryEventStore();
  const db = openReadModelDatabase(':memory:');
  const late = new ComplaintFacts().received('2024-07-01T09:00').acknowledged(1, '2024-07-01T10:00');
  const asOf = toInstant('2024-07-10T00:00');

  beforeAll(async () => {
    await record(store, late);
    // the sweep on 1 August 2024 records the breach of the stage 1 response (due 15 July), as the ledger would
    const state = foldEvents(late.events) as ComplaintState;
    const breaches = alertsDue(state, toInstant('2024-08-01T09:00'), RULES, ALERTS).filter((e) => e.type === 'DeadlineBreached');
    expect(breaches.map((e) => e.data.kind)).toEqual(['stage1Response']);
    await store.append(
      complaintStream(late.id),
      breaches.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { occurredAt: occurredAtOf(event), actor: 'ledger', correlationId: randomUUID(), schemaVersion: EVENT_SCHEMA_VERSION },
      })),
      'any',
    );
    await record(store, Object.assign(new ComplaintFacts(late.id), { events: [] }).responded(1, '2024-08-30T10:00'));
    await new ProjectionRunner(store, db, [complaintProjection(RULES, ALERTS), alertProjection()]).catchUp();
  });

  it('/v1/breaches at asOf 10 July lists no breach: the deadline was not yet due', () => {
    expect(listAlerts(db, { asOf, type: 'DeadlineBreached' }, undefined, 50).items).toEqual([]);
  });

  it('the list at asOf 10 July agrees: no breach counted, not found by breached=true', () => {
    const row = listComplaints(db, {}, undefined, 50, { asOf }).items.find((item) => item.id === late.id);
    expect(row).toMatchObject({ status: 'open', breaches: 0 });
    expect(listComplaints(db, { breached: true }, undefined, 50, { asOf }).items.map((item) => item.id)).toEqual([]);
  });

  it('and from 16 July the breach counts', () => {
    const row = listComplaints(db, {}, undefined, 50, { asOf: toInstant('2024-07-16T12:00') }).items.find((item) => item.id === late.id);
    expect(row).toMatchObject({ breaches: 1 });
  });
});
