import { addCalendarMonths, toInstant, WorkingCalendar } from '@complaint-ledger/domain';

/**
 * A reporting year of plausible complaints as a housing system would send them (deterministic
 * for a seed): the demo data behind `npm run demo:seed` and the report screenshot, and the
 * generated year the annual report's tests check figures against.
 */
export interface PlannedStep {
  readonly kind: 'acknowledge' | 'extend' | 'respond' | 'escalate' | 'refuse' | 'notAccept' | 'withdraw' | 'completeRemedy';
  /** Under /v1/complaints/{id}/; `completeRemedy` names the remedy by its position in the complaint. */
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly remedyIndex?: number;
  /** The London date the step happened on (what the report's figures count by). */
  readonly on: string;
}

export interface PlannedComplaint {
  readonly receive: Record<string, unknown> & { tenure: string; category: string; channel: string };
  readonly receivedOn: string;
  readonly steps: readonly PlannedStep[];
}

const CATEGORIES = ['repairs', 'damp and mould', 'anti-social behaviour', 'communication', 'rent and charges', 'staff conduct'];
const CATEGORY_WEIGHTS = [34, 22, 12, 14, 10, 8];
const CHANNELS = ['email', 'phone', 'web', 'letter', 'in_person'];
const DECISIONS = ['upheld', 'partly_upheld', 'not_upheld'];
const GROUNDS = ['over_12_months', 'legal_proceedings', 'previously_considered', 'other'];
const REASONS = ['Awaiting a contractor survey', 'Specialist damp inspection needed', 'Information needed from a third party'];

export function demoYear(year: number, count: number, seed = 2024): PlannedComplaint[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const weighted = (items: readonly string[], weights: readonly number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    return items[weights.findIndex((w) => (r -= w) < 0)] ?? items[0]!;
  };
  const calendar = new WorkingCalendar();
  const at = (date: string, hour: number) => toInstant(`${date}T${String(hour).padStart(2, '0')}:${pick(['00', '15', '30', '45'])}`);
  const plus = (date: string, workingDays: number) => calendar.addWorkingDays(date, workingDays);
  const start = `${year}-04-01`;
  return Array.from({ length: count }, (_, i) => {
    // received on a working day spread through the year (the last weeks' complaints are still open)
    const receivedOn = plus(addCalendarMonths(start, Math.floor((i / count) * 12)), Math.floor(random() * 19));
    const category = weighted(CATEGORIES, CATEGORY_WEIGHTS);
    const receive = {
      receivedAt: at(receivedOn, 9 + Math.floor(random() * 7)),
      channel: pick(CHANNELS),
      tenure: random() < 0.82 ? 'LCRA' : 'LCHO',
      category,
      summary: `Demo complaint about ${category}`,
      resident: { reference: `DEMO-${seed}-${String(i + 1).padStart(5, '0')}` },
    };
    const steps: PlannedStep[] = [];
    const step = (kind: PlannedStep['kind'], path: string, on: string, body: Record<string, unknown>, extra: Partial<PlannedStep> = {}) =>
      steps.push({ kind, path, on, body, ...extra });
    if (random() < 0.06) {
      const on = plus(receivedOn, 1 + Math.floor(random() * 3));
      step('notAccept', 'non-acceptance', on, {
        decidedAt: at(on, 11),
        ground: pick(GROUNDS),
        explanation: 'Outside the complaints policy',
        ombudsmanRightExplained: true,
      });
      return { receive, receivedOn, steps };
    }
    const ackOn = plus(receivedOn, random() < 0.88 ? 1 + Math.floor(random() * 5) : 6 + Math.floor(random() * 4));
    step('acknowledge', 'acknowledgements', ackOn, {
      stage: 1,
      acknowledgedAt: at(ackOn, 10),
      complaintDefinition: `Complaint about ${category}`,
    });
    if (random() < 0.04) {
      const on = plus(ackOn, 2);
      step('withdraw', 'withdrawal', on, { withdrawnAt: at(on, 12), reason: 'Resolved informally' });
      return { receive, receivedOn, steps };
    }
    if (random() < 0.15) {
      const on = plus(ackOn, 6);
      const newDeadline = plus(plus(ackOn, 10), 5 + Math.floor(random() * 5)); // 5–9 working days more
      step('extend', 'extensions', on, {
        stage: 1,
        notifiedAt: at(on, 14),
        newDeadline,
        reason: pick(REASONS),
        ombudsmanDetailsGiven: random() < 0.9,
      });
    }
    const respondOn = plus(ackOn, random() < 0.85 ? 3 + Math.floor(random() * 8) : 11 + Math.floor(random() * 8));
    const decision = weighted(DECISIONS, [38, 27, 35]);
    const remedies =
      decision === 'not_upheld'
        ? []
        : [
            { type: 'apology', description: 'Written apology' },
            ...(random() < 0.6
              ? [
                  {
                    type: 'financial',
                    description: 'Compensation for time and trouble',
                    amountPence: 2500 * (1 + Math.floor(random() * 12)),
                    dueBy: plus(respondOn, 10),
                  },
                ]
              : []),
          ];
    step('respond', 'responses', respondOn, {
      stage: 1,
      respondedAt: at(respondOn, 15),
      decision,
      reasons: 'Findings set out in the response letter',
      remedies,
      outstandingActions: [],
      escalationRightsGiven: true,
    });
    remedies.forEach((remedy, index) => {
      if (!('dueBy' in remedy) || random() < 0.2) return; // some are still outstanding
      const on = plus(respondOn, 3 + Math.floor(random() * 12));
      step('completeRemedy', '', on, { completedAt: at(on, 12) }, { remedyIndex: index });
    });
    if (random() < 0.22) {
      const requestOn = plus(respondOn, 2 + Math.floor(random() * 6));
      step('escalate', 'escalations', requestOn, { requestedAt: at(requestOn, 9) });
      if (random() < 0.15) {
        const on = plus(requestOn, 3);
        step('refuse', 'escalation-refusals', on, {
          decidedAt: at(on, 11),
          ground: pick(GROUNDS),
          explanation: 'Outside the complaints policy',
          ombudsmanRightExplained: true,
        });
      } else {
        const stage2Ack = plus(requestOn, 1 + Math.floor(random() * 6));
        step('acknowledge', 'acknowledgements', stage2Ack, {
          stage: 2,
          acknowledgedAt: at(stage2Ack, 10),
          complaintDefinition: 'Escalated',
        });
        const on = plus(stage2Ack, random() < 0.8 ? 8 + Math.floor(random() * 12) : 21 + Math.floor(random() * 10));
        step('respond', 'responses', on, {
          stage: 2,
          respondedAt: at(on, 15),
          decision: weighted(DECISIONS, [25, 25, 50]),
          reasons: 'Stage 2 review',
          outstandingActions: [],
          escalationRightsGiven: true,
        });
      }
    }
    return { receive, receivedOn, steps };
  });
}

/** A small, well-known seeded generator (Mulberry32): the same seed, the same year. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
