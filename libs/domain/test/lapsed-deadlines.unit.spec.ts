import { assess, foldEvents, WorkingCalendar, type ComplaintState } from '../src';
import { extended, received, withdrawn } from './support/builders';

const rules = { calendar: new WorkingCalendar() };

// Found by the monotonicity property (seed 482218909): an extension notified without the
// Ombudsman's details, then the complaint withdrawn before the deadline — the Code 6.5 finding
// vanished once the deadline lapsed. Findings only accrue.
describe('a deadline that lapses when the complaint ends', () => {
  const state = foldEvents([
    received('2024-04-01T01:00'),
    extended(1, '2024-04-01T02:00', '2024-04-01', { ombudsmanDetailsGiven: false }),
    withdrawn('2024-04-01T03:00'),
  ]) as ComplaintState;

  it('no longer appears among the deadlines', () => {
    expect(assess(state, '2024-04-02T12:00:00.000Z', rules).deadlines).toEqual([]);
  });

  it('keeps the finding about how it was extended (Code 6.5)', () => {
    const before = assess(state, '2024-04-01T00:30:00.000Z', rules).findings.map((f) => f.rule);
    const after = assess(state, '2024-04-02T12:00:00.000Z', rules).findings.map((f) => f.rule);
    expect(before).toEqual([]);
    expect(after).toContain('extension-without-ombudsman-details');
  });
});
