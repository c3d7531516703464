import { assess, foldEvents, WorkingCalendar, type ComplaintEvent, type ComplaintState } from '../src';
import { acknowledged, extended, received, responded } from './support/builders';

/**
 * Decision 0009: a landlord publishing shorter timescales has its deadlines, alerts and breaches
 * by them, but CH02 counts what was "responded to within Complaint Handling Code timescales": by
 * the Code's own. A landlord with a 5-working-day stage 1 response; received Wed 1 May 2024,
 * acknowledged Thu 2 May: its own deadline Fri 10 May (Mon 6 May a bank holiday), the Code's (6.3)
 * Fri 17 May.
 */
const rules = { calendar: new WorkingCalendar(), landlordTimescales: { stage1ResponseDays: 5 } };
const base = [received('2024-05-01T10:00'), acknowledged(1, '2024-05-02T09:00')];
const stage1 = (events: ComplaintEvent[], asOf = '2024-06-30T12:00:00Z') =>
  assess(foldEvents(events) as ComplaintState, asOf, rules).deadlines.find((deadline) => deadline.kind === 'stage1Response')!;

describe("a landlord's shorter timescale and CH02", () => {
  it("given a response after its own deadline but within the Code's, then it is late by the landlord's and within the Code's timescale", () => {
    expect(stage1([...base, responded(1, '2024-05-15T12:00')])).toMatchObject({
      dueAt: '2024-05-10T22:59:59.999Z',
      status: 'met_late',
      codeTimescaleDueAt: '2024-05-17T22:59:59.999Z',
      withinCodeTimescale: true,
    });
  });

  it("given a response after the Code's deadline too, then it is outside the Code's timescale", () => {
    expect(stage1([...base, responded(1, '2024-05-20T12:00')])).toMatchObject({ status: 'met_late', withinCodeTimescale: false });
  });

  it("given no response yet, past its own deadline but not the Code's, then it is breached by the landlord's, and not yet outside the Code's", () => {
    expect(stage1(base, '2024-05-14T12:00:00Z')).toMatchObject({ status: 'breached', withinCodeTimescale: null });
    expect(stage1(base, '2024-05-20T12:00:00Z')).toMatchObject({ status: 'breached', withinCodeTimescale: false });
  });

  it("given an extension within the Code's limit, then the Code's timescale is extended by it too (the landlord's limit is its own)", () => {
    const extension = extended(1, '2024-05-08T10:00', '2024-05-24');

    expect(stage1([...base, extension, responded(1, '2024-05-23T12:00')])).toMatchObject({
      codeTimescaleDueAt: '2024-05-24T22:59:59.999Z',
      withinCodeTimescale: true,
    });
  });
});
