import { SqliteEventStore } from '@complaint-ledger/event-store';
import { DataKeyStore, ERASED, PersonalDataCipher } from '@complaint-ledger/privacy';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERTS, ComplaintFacts, record, RULES, testReadSide } from '../../projections/test/support/ledger';
import { ResidentErasure, WritePath } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'ledger-erasure-'));
const NOW = '2026-11-23T12:00:00.000Z';

function facts(reference: string) {
  const complaint = new ComplaintFacts();
  return { complaint, as: () => complaint.events.forEach((e) => e.type === 'ComplaintReceived' && (e.data.resident = { reference })) };
}

describe('retention (the worker erases residents N years after their last complaint closed)', () => {
  it('erases only residents whose complaints are all closed and the last closed before the cut-off', async () => {
    const store = new SqliteEventStore(join(dir, 'log.sqlite'), () => NOW);
    const readSide = testReadSide(store, join(dir, 'rm.sqlite'));
    const keys = new DataKeyStore(join(dir, 'keys.sqlite'), Buffer.alloc(32, 1));
    const cipher = new PersonalDataCipher(keys, () => NOW);
    const sealed = cipher.protect(
      { type: 'RepresentativeAuthorised', data: { complaintId: 'x', consentReceivedAt: NOW, name: 'Old Rep' } },
      'RES-OLD',
    );

    const old = facts('RES-OLD'); // answered in 2019, twice
    old.complaint.received('2019-03-01T10:00').acknowledged(1, '2019-03-02T10:00').responded(1, '2019-03-10T10:00');
    old.as();
    const oldToo = facts('RES-OLD');
    oldToo.complaint.received('2019-05-01T10:00').withdrawn('2019-05-03T10:00');
    oldToo.as();
    const recent = facts('RES-RECENT'); // answered in 2024: within six years
    recent.complaint.received('2024-03-01T10:00').acknowledged(1, '2024-03-02T10:00').responded(1, '2024-03-10T10:00');
    recent.as();
    const stillOpen = facts('RES-OPEN'); // received in 2018 and never answered: not closed, kept
    stillOpen.complaint.received('2018-03-01T10:00');
    stillOpen.as();
    await record(store, old.complaint, oldToo.complaint, recent.complaint, stillOpen.complaint);

    const write = new WritePath({
      store,
      clock: () => NOW,
      personalData: cipher,
      clockSkewMs: 0,
      compliance: { rules: RULES, alerts: ALERTS },
    });
    const erasure = new ResidentErasure(keys, write, readSide, () => NOW);
    const outcomes = await erasure.eraseExpired(6);
    expect(outcomes.map((o) => [o.reference, [...o.complaints].sort()])).toEqual([
      ['RES-OLD', [old.complaint.id, oldToo.complaint.id].sort()],
    ]);
    expect(cipher.reveal(sealed)).toMatchObject({ name: ERASED });
    const stream = await store.readStream(`complaint-${old.complaint.id}`);
    expect(stream.at(-1)).toMatchObject({
      type: 'PersonalDataErased',
      metadata: { actor: 'ledger:retention' },
      data: { ground: 'retention' },
    });

    expect(await erasure.eraseExpired(6)).toEqual([]); // already erased: nothing more is written
    expect((await store.readStream(`complaint-${old.complaint.id}`)).length).toBe(stream.length);
    expect((await erasure.eraseExpired(1)).map((o) => o.reference)).toEqual(['RES-RECENT']); // a shorter setting reaches 2024
    await readSide.stop();
    await store.close();
    keys.close();
  });
});
