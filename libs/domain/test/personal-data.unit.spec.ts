import { mapPersonalData, withoutPersonalData } from '../src';

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') Object.values(Object.freeze(value)).forEach(deepFreeze);
  return value;
};

const received = () =>
  deepFreeze({
    type: 'ComplaintReceived' as const,
    data: {
      complaintId: 'c-1',
      summary: 'Leak',
      resident: { reference: 'RES-1', name: 'Ann Resident', email: 'ann@example.org' },
      representative: { name: 'Bob Rep', relationship: 'son' },
      tags: ['repairs'],
    },
  });

describe('mapPersonalData', () => {
  it('replaces each personal value present, names its path, and leaves the event itself untouched (frozen here)', () => {
    const event = received();
    const { data, paths } = mapPersonalData(event as never, (value, path) => `${path}:${String(value).length}`);
    expect(paths).toEqual(['summary', 'resident.name', 'resident.email', 'representative.name', 'representative.relationship']);
    expect(data).toEqual({
      complaintId: 'c-1',
      summary: 'summary:4', // free text is personal data by default
      resident: { reference: 'RES-1', name: 'resident.name:12', email: 'resident.email:15' },
      // who speaks for the resident says something about them
      representative: { name: 'representative.name:7', relationship: 'representative.relationship:3' },
      tags: ['repairs'], // structured: left as it is
    });
    expect(event).toEqual(received());
  });

  it('removes them for withoutPersonalData, and passes over paths that are absent', () => {
    const event = deepFreeze({
      type: 'ComplaintReceived' as const,
      data: { complaintId: 'c-2', resident: { reference: 'RES-2', phone: '0123' } },
    });
    expect(withoutPersonalData(event as never)).toEqual({
      data: { complaintId: 'c-2', resident: { reference: 'RES-2' } },
      removed: ['resident.phone'],
    });
    expect(event.data.resident).toEqual({ reference: 'RES-2', phone: '0123' });
  });

  it('leaves events without personal data as they are', () => {
    const event = deepFreeze({
      type: 'ComplaintWithdrawn' as const,
      data: { complaintId: 'c-3', withdrawnAt: '2024-05-01T09:00:00.000Z' },
    });
    expect(mapPersonalData(event as never, () => 'x')).toEqual({ data: event.data, paths: [] });
  });
});

describe('a correction carries personal data where the fact it replaces does (decision 0016)', () => {
  it('protects the reason and the replacement by the corrected type’s own paths', () => {
    const correction = deepFreeze({
      type: 'FactCorrected' as const,
      data: {
        complaintId: 'c-1',
        correctedRevision: 0,
        correctedType: 'ComplaintReceived',
        reason: 'Ann asked us to fix her name',
        correctedAt: '2026-11-23T12:00:00.000Z',
        replacement: received().data,
      },
    });
    expect(withoutPersonalData(correction as never)).toEqual({
      data: {
        complaintId: 'c-1',
        correctedRevision: 0,
        correctedType: 'ComplaintReceived',
        correctedAt: '2026-11-23T12:00:00.000Z',
        replacement: { complaintId: 'c-1', resident: { reference: 'RES-1' }, representative: {}, tags: ['repairs'] },
      },
      removed: [
        'reason',
        'replacement.summary',
        'replacement.resident.name',
        'replacement.resident.email',
        'replacement.representative.name',
        'replacement.representative.relationship',
      ],
    });
  });
});
