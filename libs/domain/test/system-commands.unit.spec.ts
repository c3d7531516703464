import type { ComplaintEvent } from '../src';
import { acknowledged, acknowledgementAlert, COMPLAINT_ID, received } from './support/builders';
import { given, sweepContext } from './support/decider-spec';

// The commands the ledger gives itself go through the same decider as people's, and are
// specified the same way. Received Wed 1 May 2024 10:00 BST: the acknowledgement (Code 6.2, five
// working days, the Early May bank holiday on Mon 6 skipped) is due by the end of Thu 9 May.
const withRules = (now: string) => sweepContext(now);
const alert = acknowledgementAlert;
const breached = (at: string, workingDaysLate?: number): ComplaintEvent => ({
  type: 'DeadlineBreached',
  data: { ...alert, detectedAt: at, ...(workingDaysLate === undefined ? {} : { workingDaysLate }) },
});

describe('RecordDeadlineAlerts (the deadline detector, Code 5.12: each alert recorded once)', () => {
  it('given an unacknowledged complaint, when the due day has ended, then the breach is recorded, late by the working day begun', () => {
    const at = '2024-05-10T08:00:00.000Z'; // Friday, the first working day after the due day
    given(received('2024-05-01T10:00'))
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: at } }, withRules(at))
      .then([breached(at, 1)]);
  });

  it('given a breach found late, it records the working days elapsed by then', () => {
    const at = '2024-05-15T08:00:00.000Z'; // Wednesday: Friday, Monday, Tuesday and Wednesday have passed or begun
    given(received('2024-05-01T10:00'))
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: at } }, withRules(at))
      .then([breached(at, 4)]);
  });

  it('given the breach already recorded, when the detector sweeps again, then nothing more is recorded', () => {
    const at = '2024-05-13T08:00:00.000Z';
    given(received('2024-05-01T10:00'), breached('2024-05-10T08:00:00.000Z'))
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: at } }, withRules(at))
      .then([]);
  });

  it('given the warning day (two working days before), then the deadline is recorded as approaching', () => {
    const at = '2024-05-07T08:00:00.000Z';
    given(received('2024-05-01T10:00'))
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: at } }, withRules(at))
      .then([{ type: 'DeadlineApproaching', data: { ...alert, warnedAt: at, workingDaysLeft: 2 } }]);
  });

  it('given the acknowledgement met on time, then nothing is due', () => {
    const at = '2024-05-13T08:00:00.000Z';
    given(received('2024-05-01T10:00'), acknowledged(1, '2024-05-03T10:00'))
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: at } }, withRules(at))
      .then([]);
  });

  it('given no complaint, then it is refused as not found', () => {
    given()
      .when({ type: 'RecordDeadlineAlerts', data: { asOf: '2024-05-10T08:00:00.000Z' } }, withRules('2024-05-10T08:00:00.000Z'))
      .thenFails('COMPLAINT.NOT_FOUND', { kind: 'not_found' });
  });
});

describe('ErasePersonalData (erasure on request or at the end of retention)', () => {
  const erase = (residentReference = 'RES-1001', erasedAt = '2026-11-20T09:00:00.000Z') =>
    ({ type: 'ErasePersonalData', data: { residentReference, erasedAt, ground: 'request' } }) as const;

  it("given the resident's complaint, then PersonalDataErased is recorded with the ground", () => {
    given(received('2024-05-01T10:00'))
      .when(erase())
      .then([
        {
          type: 'PersonalDataErased',
          data: { complaintId: COMPLAINT_ID, residentReference: 'RES-1001', erasedAt: '2026-11-20T09:00:00.000Z', ground: 'request' },
        },
      ]);
  });

  it('given the complaint already erased, then nothing more is recorded', () => {
    given(received('2024-05-01T10:00'), {
      type: 'PersonalDataErased',
      data: { complaintId: COMPLAINT_ID, residentReference: 'RES-1001', erasedAt: '2025-01-01T09:00:00.000Z', ground: 'retention' },
    })
      .when(erase())
      .then([]);
  });

  it("given another resident's complaint, then it is refused", () => {
    given(received('2024-05-01T10:00'))
      .when(erase('RES-2002'))
      .thenFails('ERASURE.OTHER_RESIDENT', { kind: 'conflict', field: 'residentReference' });
  });

  it('given an erasure dated in the future, then it is refused', () => {
    given(received('2024-05-01T10:00'))
      .when(erase('RES-1001', '2027-01-01T00:00:00.000Z'))
      .thenFails('INSTANT.IN_FUTURE', { field: 'erasedAt' });
  });
});
