import { WorkingCalendar, type ComplaintEvent, type ComplianceRules, type DeadlineKind, type DeadlineStatus } from '../../src';
import {
  acknowledged,
  escalated,
  escalationRefused,
  extended,
  handlerAssigned,
  notAccepted,
  received,
  remedyCompleted,
  remedyOffered,
  representativeAuthorised,
  responded,
  withdrawn,
} from './builders';

/** [kind, due London date (null while a clock waits), status, working days late, Code version]. */
export type Expected = [DeadlineKind, string | null, DeadlineStatus, number, string?];

export interface Timeline {
  events: ComplaintEvent[];
  asOf: string;
  deadlines: Expected[];
  /** `provision rule`, in the order the findings arose. */
  findings?: string[];
  status?: string;
  rules?: ComplianceRules;
}

/*
 * Worked timelines. Each deadline below was counted by hand on a calendar: the start day is day 0,
 * weekends and England & Wales bank holidays are skipped, and a deadline ends at midnight London
 * time on its last working day (decisions 0001, 0002). "WD" = working day.
 */
export const timelines: Record<string, Timeline> = {
  // Wed 1 May 2024 + 5 WD: Thu 2, Fri 3, [Mon 6 bank holiday], Tue 7, Wed 8, Thu 9 → 9 May.
  // Acknowledged Fri 3 May; + 10 WD: Tue 7 … Fri 10 (4), Mon 13 … Fri 17 (9), Mon 20 (10) → 20 May.
  '01 2024 Code, on time, Early May bank holiday': {
    events: [received('2024-05-01T10:00'), acknowledged(1, '2024-05-03T10:00'), responded(1, '2024-05-17T15:00')],
    asOf: '2024-06-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0, '2024'],
      ['stage1Response', '2024-05-20', 'met', 0, '2024'],
    ],
    findings: [],
    status: 'responded',
  },
  // Acknowledged Mon 13 May, due Thu 9: Fri 10, Mon 13 → 2 WD late (Code 6.2).
  // Decision 0004: the response clock runs from the actual acknowledgement: Tue 14 … Fri 24 (9), [Mon 27 Spring BH], Tue 28 (10).
  '02 late acknowledgement moves the response clock (decision 0004)': {
    events: [received('2024-05-01T10:00'), acknowledged(1, '2024-05-13T10:00')],
    asOf: '2024-05-28T18:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met_late', 2],
      ['stage1Response', '2024-05-28', 'pending', 0],
    ],
    findings: ['6.2 acknowledgement-late'],
  },
  // Never acknowledged: response clock from the acknowledgement's due date, Thu 9 May + 10 WD:
  // Fri 10 (1), Mon 13 … Fri 17 (6), Mon 20 … Thu 23 (10) → 23 May.
  // At Mon 3 June: acknowledgement 16 WD late (10, 13–17, 20–24, 28–31, 3 Jun; 27 May is a BH);
  // response 6 WD late (24, 28, 29, 30, 31, 3 Jun).
  '03 never acknowledged, never answered': {
    events: [received('2024-05-01T10:00')],
    asOf: '2024-06-03T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'breached', 16],
      ['stage1Response', '2024-05-23', 'breached', 6],
    ],
    findings: ['6.2 acknowledgement-late', '6.3 response-late'],
    status: 'open',
  },
  // A full response on Tue 7 May also acknowledges (defines and logs) the complaint: the acknowledgement is met.
  // The response is measured from the acknowledgement's due date (9 May → 23 May): met.
  '04 answered before any acknowledgement': {
    events: [received('2024-05-01T10:00'), responded(1, '2024-05-07T10:00')],
    asOf: '2024-06-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-23', 'met', 0],
    ],
    findings: ['6.9(b) response-without-definition'],
  },
  // Received Saturday 8 June 2024: day 0 is the Saturday, Monday 10 is day 1 (decision 0002) → Fri 14 June.
  // Acknowledged Mon 10 June + 10 WD → Mon 24 June.
  '05 received on a Saturday': {
    events: [received('2024-06-08T11:00'), acknowledged(1, '2024-06-10T09:00')],
    asOf: '2024-06-12T12:00',
    deadlines: [
      ['acknowledgement', '2024-06-14', 'met', 0],
      ['stage1Response', '2024-06-24', 'pending', 0],
    ],
    findings: [],
  },
  // Thu 17 April 2025 + 5 WD: [Good Friday 18, Easter Monday 21], Tue 22 … Fri 25 (4), Mon 28 (5).
  // Acknowledged the same day; + 10 WD: 22–25 (4), 28–30 Apr, 1–2 May (9), [Mon 5 May BH], Tue 6 May (10).
  '06 Easter 2025': {
    events: [received('2025-04-17T09:00'), acknowledged(1, '2025-04-17T15:00'), responded(1, '2025-05-06T17:00')],
    asOf: '2025-05-07T12:00',
    deadlines: [
      ['acknowledgement', '2025-04-28', 'met', 0],
      ['stage1Response', '2025-05-06', 'met', 0],
    ],
    findings: [],
  },
  // Mon 23 Dec 2024 + 5 WD: Tue 24 (1), [25, 26], Fri 27 (2), Mon 30 (3), Tue 31 (4), [1 Jan], Thu 2 Jan (5).
  // Acknowledged Fri 3 Jan: 1 WD late. + 10 WD: 6–10 Jan (5), 13–17 Jan (10) → Fri 17 Jan 2025.
  '07 Christmas and New Year 2024': {
    events: [received('2024-12-23T10:00'), acknowledged(1, '2025-01-03T10:00'), responded(1, '2025-01-20T10:00')],
    asOf: '2025-02-01T12:00',
    deadlines: [
      ['acknowledgement', '2025-01-02', 'met_late', 1],
      ['stage1Response', '2025-01-17', 'met_late', 1],
    ],
    findings: ['6.2 acknowledgement-late', '6.3 response-late'],
  },
  // Stage 1: Mon 1 July 2024 + 5 WD: 2–5 (4), Mon 8 (5) → 8 July; acknowledged Tue 2 → response due Tue 16 July; answered Fri 12.
  // Escalated Wed 17 July: stage 2 acknowledgement (6.11) + 5 WD → Wed 24 July; acknowledged Fri 19.
  // Stage 2 response (6.14) from Fri 19 July + 20 WD: 22–26 (5), 29 Jul–2 Aug (10), 5–9 (15), 12–16 (20) → 16 Aug.
  '08 stage 2 under the 2024 Code': {
    events: [
      received('2024-07-01T10:00'),
      acknowledged(1, '2024-07-02T10:00', { handler: 'H1' }),
      responded(1, '2024-07-12T10:00', { handler: 'H1' }),
      escalated('2024-07-17T10:00'),
      acknowledged(2, '2024-07-19T10:00', { handler: 'H2' }),
      responded(2, '2024-08-14T10:00', { handler: 'H2' }),
    ],
    asOf: '2024-09-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-07-08', 'met', 0],
      ['stage1Response', '2024-07-16', 'met', 0],
      ['stage2Acknowledgement', '2024-07-24', 'met', 0],
      ['stage2Response', '2024-08-16', 'met', 0],
    ],
    findings: [],
    status: 'closed',
  },
  // As 08, but H1 considered both stages (Code 6.13), found when H1 acknowledged stage 2.
  '09 same handler at both stages': {
    events: [
      received('2024-07-01T10:00'),
      handlerAssigned(1, '2024-07-01T11:00', 'H1'),
      acknowledged(1, '2024-07-02T10:00'),
      responded(1, '2024-07-12T10:00'),
      escalated('2024-07-17T10:00'),
      acknowledged(2, '2024-07-19T10:00', { handler: 'H1' }),
    ],
    asOf: '2024-07-22T12:00',
    deadlines: [
      ['acknowledgement', '2024-07-08', 'met', 0],
      ['stage1Response', '2024-07-16', 'met', 0],
      ['stage2Acknowledgement', '2024-07-24', 'met', 0],
      ['stage2Response', '2024-08-16', 'pending', 0],
    ],
    findings: ['6.13 same-handler-both-stages'],
  },
  // 2022 Code: Wed 1 March 2023 + 5 WD → Wed 8 March (4.1); acknowledged Thu 2 → response (5.1) + 10 WD → Thu 16 March.
  // Escalated Mon 20 March 2023: no stage 2 acknowledgement timescale before 2024 (decision 0004); response (5.13) from the
  // request + 20 WD: 21–24 (4), 27–31 (9), 3–6 Apr (13), [Good Friday 7, Easter Monday 10], 11–14 (17), 17–19 (20) → 19 April.
  // Answered Thu 20 April: 1 WD late.
  '10 stage 2 under the 2022 Code, Easter 2023': {
    events: [
      received('2023-03-01T10:00'),
      acknowledged(1, '2023-03-02T10:00'),
      responded(1, '2023-03-15T10:00'),
      escalated('2023-03-20T10:00'),
      responded(2, '2023-04-20T10:00'),
    ],
    asOf: '2023-05-01T12:00',
    deadlines: [
      ['acknowledgement', '2023-03-08', 'met', 0, '2022'],
      ['stage1Response', '2023-03-16', 'met', 0, '2022'],
      ['stage2Response', '2023-04-19', 'met_late', 1, '2022'],
    ],
    // Breached at the end of 19 April, then answered with no stage 2 definition recorded (5.16).
    findings: ['5.13 response-late', '5.16 response-without-definition'],
  },
  // Decision 0003: stage 1 began Mon 25 March 2024 (2022 Code); stage 2 began Mon 15 April 2024 (statutory Code).
  // Stage 1: + 5 WD: 26–28 (3), [29 Mar, 1 Apr], 2–3 Apr (5) → 3 April; acknowledged Tue 26 March + 10 WD: Wed 27, Thu 28, [Good Friday 29, Easter Monday 1 Apr], 2–5 (6), 8–11 (10) → 11 April.
  // Stage 2: + 5 WD → Mon 22 April; acknowledged Tue 16 April + 20 WD: 17–19 (3), 22–26 (8), 29 Apr–3 May (13), [6 May],
  // 7–10 (17), 13–15 (20) → Wed 15 May.
  '11 a complaint spanning 1 April 2024': {
    events: [
      received('2024-03-25T10:00'),
      acknowledged(1, '2024-03-26T10:00'),
      responded(1, '2024-04-10T10:00'),
      escalated('2024-04-15T10:00'),
      acknowledged(2, '2024-04-16T10:00'),
    ],
    asOf: '2024-05-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-04-03', 'met', 0, '2022'],
      ['stage1Response', '2024-04-11', 'met', 0, '2022'],
      ['stage2Acknowledgement', '2024-04-22', 'met', 0, '2024'],
      ['stage2Response', '2024-05-15', 'pending', 0, '2024'],
    ],
    findings: [],
  },
  // 2020 Code: Tue 1 June 2021. Acknowledgement + 5 WD → Tue 8 June; acknowledged Thu 10 (2 WD late, 3.11).
  // Stage 1 decision is 10 WD from *receipt* under 2020: 2–4 (3), 7–11 (8), 14–15 (10) → Tue 15 June; answered that day.
  '12 the 2020 Code counts stage 1 from receipt': {
    events: [received('2021-06-01T10:00'), acknowledged(1, '2021-06-10T10:00'), responded(1, '2021-06-15T16:00')],
    asOf: '2021-07-01T12:00',
    deadlines: [
      ['acknowledgement', '2021-06-08', 'met_late', 2, '2020'],
      ['stage1Response', '2021-06-15', 'met', 0, '2020'],
    ],
    findings: ['3.11 acknowledgement-late'],
  },
  // Mon 2 Sept 2024, acknowledged Tue 3 → response due Tue 17 Sept. Extension notified Thu 12 Sept to Tue 1 Oct:
  // 18–20 (3), 23–27 (8), 30 Sept, 1 Oct (10) = 10 WD, within 6.4's limit, with the Ombudsman's details (6.5). Answered 30 Sept.
  '13 extension within the limit': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-12T10:00', '2024-10-01'),
      responded(1, '2024-09-30T10:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-10-01', 'met', 0],
    ],
    findings: [],
  },
  // As 13, extended to Fri 4 Oct = 13 WD: beyond the limit with no good reason. decision 0005: it counts up to the limit (1 Oct).
  // Answered Thu 3 Oct: 2 WD late (2, 3 Oct).
  '14 extension beyond the limit, no good reason': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-12T10:00', '2024-10-04'),
      responded(1, '2024-10-03T10:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-10-01', 'met_late', 2],
    ],
    findings: ['6.4 extension-beyond-limit', '6.3 response-late'],
  },
  // As 14 with a good reason recorded: the landlord's deadline moves to 4 Oct (met), the finding is a warning,
  // and CH02 still counts it outside the Code's timescale (1 Oct) — asserted separately below.
  '15 extension beyond the limit with a good reason': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-12T10:00', '2024-10-04', { goodReason: 'Structural engineer only available on 2 October' }),
      responded(1, '2024-10-03T10:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-10-04', 'met', 0],
    ],
    findings: ['6.4 extension-beyond-limit'],
  },
  // Extension without the Ombudsman's contact details (6.5): it does not move the deadline (decision 0005).
  // Due Tue 17 Sept; answered Mon 30 Sept: 18–20 (3), 23–27 (8), 30 (9) → 9 WD late.
  '16 extension without the Ombudsman details': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-12T10:00', '2024-10-01', { ombudsmanDetailsGiven: false }),
      responded(1, '2024-09-30T10:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-09-17', 'met_late', 9],
    ],
    findings: ['6.5 extension-without-ombudsman-details', '6.3 response-late'],
  },
  // Extension notified Wed 18 Sept, after the deadline of Tue 17 had passed (decision 0005): it does not count.
  // Answered Wed 25 Sept: 18, 19, 20, 23, 24, 25 → 6 WD late.
  '17 extension notified after the deadline': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-18T10:00', '2024-10-01'),
      responded(1, '2024-09-25T10:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-09-17', 'met_late', 6],
    ],
    findings: ['6.3 response-late', '6.4 extension-notified-late'],
  },
  // Two extensions, cumulative (decision 0005): to Tue 24 Sept (5 WD), then on Mon 23 Sept to Tue 8 Oct (15 WD beyond 17 Sept).
  // The second is beyond the limit: it counts up to Tue 1 Oct. Answered Tue 1 Oct: met.
  '18 two extensions, cumulative limit': {
    events: [
      received('2024-09-02T10:00'),
      acknowledged(1, '2024-09-03T10:00'),
      extended(1, '2024-09-12T10:00', '2024-09-24'),
      extended(1, '2024-09-23T10:00', '2024-10-08'),
      responded(1, '2024-10-01T16:00'),
    ],
    asOf: '2024-10-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-09-09', 'met', 0],
      ['stage1Response', '2024-10-01', 'met', 0],
    ],
    findings: ['6.4 extension-beyond-limit'],
  },
  // Stage 2 extension under 2024 may add 20 WD (6.15). From 16 Aug 2024 to Fri 13 Sept: 19–23 (5), [26 Aug BH],
  // 27–30 (9), 2–6 Sept (14), 9–13 (19) = 19 WD: within the limit. Answered Thu 12 Sept.
  '19 stage 2 extension within the 2024 limit of 20': {
    events: [
      received('2024-07-01T10:00'),
      acknowledged(1, '2024-07-02T10:00'),
      responded(1, '2024-07-12T10:00'),
      escalated('2024-07-17T10:00'),
      acknowledged(2, '2024-07-19T10:00'),
      extended(2, '2024-08-12T10:00', '2024-09-13'),
      responded(2, '2024-09-12T10:00'),
    ],
    asOf: '2024-10-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-07-08', 'met', 0],
      ['stage1Response', '2024-07-16', 'met', 0],
      ['stage2Acknowledgement', '2024-07-24', 'met', 0],
      ['stage2Response', '2024-09-13', 'met', 0],
    ],
    findings: [],
  },
  // The same 19 WD stage 2 extension under the 2022 Code (limit 10): beyond the limit; counts to 10 WD.
  // Escalated Mon 20 March 2023 → due 19 April (see 10); + 10 WD: 20–21 (2), 24–28 (7), [1 May BH], 2–4 May (10) → 4 May.
  '20 stage 2 extension beyond the 2022 limit of 10': {
    events: [
      received('2023-03-01T10:00'),
      acknowledged(1, '2023-03-02T10:00'),
      responded(1, '2023-03-15T10:00'),
      escalated('2023-03-20T10:00'),
      acknowledged(2, '2023-03-21T10:00'),
      extended(2, '2023-04-14T10:00', '2023-05-17'),
      responded(2, '2023-05-16T10:00'),
    ],
    asOf: '2023-06-01T12:00',
    deadlines: [
      ['acknowledgement', '2023-03-08', 'met', 0, '2022'],
      ['stage1Response', '2023-03-16', 'met', 0, '2022'],
      ['stage2Response', '2023-05-04', 'met_late', 7, '2022'],
    ],
    // 5, [8 May coronation BH], 9–12, 15, 16 → 7 WD late.
    findings: ['5.13 extension-beyond-limit', '5.13 response-late'],
  },
  // Decision 0006: a representative without the resident's consent yet: the stage 1 response clock has not started.
  '21 representative, consent awaited': {
    events: [
      received('2024-05-01T10:00', { representative: { name: 'A. Advocate', relationship: 'advocate' } }),
      acknowledged(1, '2024-05-02T10:00'),
    ],
    asOf: '2024-06-20T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', null, 'pending', 0],
    ],
    findings: [],
  },
  // Decision 0006: consent arrives Fri 10 May, after the acknowledgement: the clock runs from then. + 10 WD: 13–17 (5), 20–24 (10) → 24 May.
  '22 representative, consent after acknowledgement': {
    events: [
      received('2024-05-01T10:00', { representative: { name: 'A. Advocate', relationship: 'advocate' } }),
      acknowledged(1, '2024-05-02T10:00'),
      representativeAuthorised('2024-05-10T10:00'),
    ],
    asOf: '2024-05-24T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-24', 'pending', 0],
    ],
    findings: [],
  },
  // Decision 0006: consent already held before the acknowledgement (Thu 2 May): + 10 WD: 3 (1), [6 May], 7–10 (5), 13–17 (10) → 17 May.
  '23 representative, consent before acknowledgement': {
    events: [
      received('2024-05-01T10:00', { representative: { name: 'A. Advocate', consentReceivedAt: '2024-04-30T00:00:00.000Z' } }),
      acknowledged(1, '2024-05-02T10:00'),
    ],
    asOf: '2024-05-20T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-17', 'breached', 1],
    ],
    findings: ['6.3 response-late'],
  },
  // Code 7.3: remedy due Fri 14 June 2024, not completed by Thu 20 June: 17, 18, 19, 20 → 4 WD overdue.
  '24 remedy overdue': {
    events: [
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      responded(1, '2024-05-15T10:00', { decision: 'upheld', remedyIds: ['r-1'] }),
      remedyOffered('r-1', '2024-05-15T10:00', { dueBy: '2024-06-14' }),
    ],
    asOf: '2024-06-20T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-17', 'met', 0],
      ['remedy', '2024-06-14', 'breached', 4],
    ],
    findings: ['7.3 remedy-overdue'],
  },
  // The remedy completed Fri 21 June: 5 WD late.
  '25 remedy completed late': {
    events: [
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      responded(1, '2024-05-15T10:00', { decision: 'upheld', remedyIds: ['r-1'] }),
      remedyOffered('r-1', '2024-05-15T10:00', { dueBy: '2024-06-14' }),
      remedyCompleted('r-1', '2024-06-21T10:00'),
    ],
    asOf: '2024-07-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-17', 'met', 0],
      ['remedy', '2024-06-14', 'met_late', 5],
    ],
    findings: ['7.3 remedy-overdue'],
  },
  // Withdrawn on Fri 3 May, before anything was due: no deadline applies any more.
  '26 withdrawn before anything was due': {
    events: [received('2024-05-01T10:00'), withdrawn('2024-05-03T10:00')],
    asOf: '2024-07-01T12:00',
    deadlines: [],
    findings: [],
    status: 'withdrawn',
  },
  // Withdrawn Tue 14 May, never acknowledged: the acknowledgement breach stands, 3 WD late at withdrawal (10, 13, 14);
  // the response (due 23 May) no longer applies.
  '27 withdrawn after a missed acknowledgement': {
    events: [received('2024-05-01T10:00'), withdrawn('2024-05-14T10:00')],
    asOf: '2024-07-01T12:00',
    deadlines: [['acknowledgement', '2024-05-09', 'breached', 3]],
    findings: ['6.2 acknowledgement-late'],
  },
  // Not accepted as over 12 months old, but the issue occurred on 1 Sept 2023: the window runs to 1 Sept 2024 and the
  // complaint came on 3 June 2024 (Code 2.3, decision 0008); and the Ombudsman right was not explained (2.4).
  '28 non-acceptance inside the 12-month window': {
    events: [
      received('2024-06-03T10:00', { issueOccurredAt: '2023-09-01T00:00:00.000Z' }),
      notAccepted('2024-06-05T10:00', { ground: 'over_12_months', ombudsmanRightExplained: false }),
    ],
    asOf: '2024-07-01T12:00',
    deadlines: [],
    findings: ['2.3 non-acceptance-inside-window', '2.4 non-acceptance-without-ombudsman-right'],
    status: 'not_accepted',
  },
  // Issue in Jan 2022, resident aware 1 March 2023: the window (later date + 12 months) ended 1 March 2024. Fair exclusion.
  '29 non-acceptance outside the window': {
    events: [
      received('2024-06-03T10:00', { issueOccurredAt: '2022-01-10T00:00:00.000Z', residentAwareAt: '2023-03-01T00:00:00.000Z' }),
      notAccepted('2024-06-05T10:00', { ground: 'over_12_months' }),
    ],
    asOf: '2024-07-01T12:00',
    deadlines: [],
    findings: [],
  },
  // Escalation refused without the right to go to the Ombudsman (5.11, 2.4); the stage 2 clocks stop.
  '30 escalation refused': {
    events: [
      received('2024-07-01T10:00'),
      acknowledged(1, '2024-07-02T10:00'),
      responded(1, '2024-07-12T10:00'),
      escalated('2024-07-17T10:00'),
      escalationRefused('2024-07-18T10:00', { ombudsmanRightExplained: false }),
    ],
    asOf: '2024-09-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-07-08', 'met', 0],
      ['stage1Response', '2024-07-16', 'met', 0],
    ],
    findings: ['5.11 escalation-refusal-without-ombudsman-right'],
    status: 'escalation_refused',
  },
  // Daylight saving and Easter: Thu 28 March 2024 23:30 GMT (still Thursday); [Good Friday, Easter Monday]; 2–5 Apr (4), 8 Apr (5).
  // The deadline ends 23:59:59.999 BST = 22:59:59.999Z; an acknowledgement at 23:30Z is 00:30 on Tue 9 April: 1 WD late.
  '31 clocks go forward over Easter 2024': {
    events: [received('2024-03-28T23:30:00Z'), acknowledged(1, '2024-04-08T23:30:00Z')],
    asOf: '2024-04-10T12:00',
    deadlines: [
      ['acknowledgement', '2024-04-08', 'met_late', 1, '2022'],
      ['stage1Response', '2024-04-23', 'pending', 0, '2022'],
    ],
    findings: ['4.1 acknowledgement-late'],
  },
  // Stage 2 under 2024 never acknowledged: 6.11 due Wed 24 July; the 6.14 clock runs from then (decision 0004): + 20 WD:
  // 25–26 (2), 29 Jul–2 Aug (7), 5–9 (12), 12–16 (17), 19–21 (20) → Wed 21 Aug. At Fri 30 Aug: 22, 23, [26 BH], 27–30 → 6 WD late.
  '32 stage 2 never acknowledged nor answered': {
    events: [
      received('2024-07-01T10:00'),
      acknowledged(1, '2024-07-02T10:00'),
      responded(1, '2024-07-12T10:00'),
      escalated('2024-07-17T10:00'),
    ],
    asOf: '2024-08-30T12:00',
    deadlines: [
      ['acknowledgement', '2024-07-08', 'met', 0],
      ['stage1Response', '2024-07-16', 'met', 0],
      ['stage2Acknowledgement', '2024-07-24', 'breached', 26],
      ['stage2Response', '2024-08-21', 'breached', 6],
    ],
    // 6.11: 25–26 (2), 29 Jul–2 Aug (7), 5–9 (12), 12–16 (17), 19–23 (22), [26 BH], 27–30 (26).
    findings: ['6.11 acknowledgement-late', '6.14 response-late'],
  },
  // Decision 0009: a landlord publishing an 8-working-day stage 1 response: acknowledged Fri 3 May 2024, + 8 WD:
  // 7–10 (4), 13–16 (8) → Thu 16 May. Answered Fri 17: 1 WD late against the landlord's own timescale.
  '33 landlord shorter timescale': {
    events: [received('2024-05-01T10:00'), acknowledged(1, '2024-05-03T10:00'), responded(1, '2024-05-17T15:00')],
    asOf: '2024-06-01T12:00',
    rules: { calendar: new WorkingCalendar(), landlordTimescales: { stage1ResponseDays: 8 } },
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-16', 'met_late', 1],
    ],
    findings: ['6.3 response-late'],
  },
  // Upheld with no remedy, no outstanding actions stated, no escalation rights (6.9(e), (f), (g)).
  // Acknowledged Thu 2 May 2024 + 10 WD: 3 (1), [6 May], 7–10 (5), 13–17 (10) → 17 May.
  '34 stage 1 response missing required content': {
    events: [
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      responded(1, '2024-05-10T10:00', { decision: 'upheld', outstandingActions: undefined, escalationRightsGiven: false }),
    ],
    asOf: '2024-06-01T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-17', 'met', 0],
    ],
    findings: [
      '6.9(e) response-without-remedy',
      '6.9(f) response-without-outstanding-actions',
      '6.9(g) response-without-escalation-rights',
    ],
  },
  // Code 7.3: a remedy offer says what will happen and by when; this one, recorded with no date, is a warning. The apology
  // given with the response and done that day needed none.
  '35 remedy offered without a date': {
    events: [
      received('2024-05-01T10:00'),
      acknowledged(1, '2024-05-02T10:00'),
      responded(1, '2024-05-15T10:00', { decision: 'upheld', remedyIds: ['r-1', 'r-2'] }),
      remedyOffered('r-1', '2024-05-15T10:00'),
      remedyOffered('r-2', '2024-05-15T10:00', { type: 'apology', description: 'Written apology' }),
      remedyCompleted('r-2', '2024-05-15T10:00'),
    ],
    asOf: '2024-06-20T12:00',
    deadlines: [
      ['acknowledgement', '2024-05-09', 'met', 0],
      ['stage1Response', '2024-05-17', 'met', 0],
    ],
    findings: ['7.3 remedy-without-date'],
  },
  // The same under the 2022 Code (6.5), and completed a week later: the offer still did not say by when. Stage 1 runs 10 WD
  // from logging (Wed 3 May 2023), over the coronation bank holiday (Mon 8 May) → Thu 18 May.
  '36 remedy without a date, 2022 Code': {
    events: [
      received('2023-05-02T10:00'),
      acknowledged(1, '2023-05-03T10:00'),
      responded(1, '2023-05-12T10:00', { decision: 'upheld', remedyIds: ['r-1'] }),
      remedyOffered('r-1', '2023-05-12T10:00'),
      remedyCompleted('r-1', '2023-05-19T10:00'),
    ],
    asOf: '2023-06-20T12:00',
    deadlines: [
      ['acknowledgement', '2023-05-10', 'met', 0],
      ['stage1Response', '2023-05-18', 'met', 0],
    ],
    findings: ['6.5 remedy-without-date'],
  },
};
