import { FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR } from '../calendar/bank-holidays';
import {
  instantMillis,
  instantOfMillis,
  isAfter,
  isLocalDate,
  londonYearOfMillis,
  type Instant,
  type LocalDate,
} from '../calendar/london-time';
import type { Stage } from '../policy/code-policy';
import { cite, escalationCode, stageCode } from './citations';
import type { DecisionContext } from './context';
import { DomainError } from './errors';
import { stageRecord, statusOf, type ComplaintState, type StageRecord } from './state';

const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * An instant the complaint's record can hold: a valid ISO instant, not in the future (allowing for
 * a client's clock skew), inside the working-day calendar, and not before `notBefore`.
 * Returns the canonical UTC form.
 */
export function checkInstant(
  field: string,
  value: string,
  context: DecisionContext,
  notBefore?: { instant: Instant; code: string; what: string },
): Instant | DomainError {
  // read as milliseconds: every command checks one or two instants, and building luxon DateTimes for them was over half the decider's time in a bulk import's profile
  const epochMs = instantMillis(value);
  if (epochMs === null) return new DomainError('INSTANT.INVALID', 'invalid', `${field} is not an ISO-8601 instant`, { field });
  const nowMs = instantMillis(context.now);
  // the ledger's own clock, never a client's: one that is not an instant is a fault, not a refusal
  if (nowMs === null) throw new RangeError(`the decision's clock reads ${JSON.stringify(context.now)}, not an instant`);
  if (epochMs > nowMs + (context.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS)) {
    return new DomainError('INSTANT.IN_FUTURE', 'invalid', `${field} (${value}) is in the future`, { field });
  }
  const instant = instantOfMillis(epochMs);
  const year = londonYearOfMillis(epochMs);
  if (year < FIRST_CALENDAR_YEAR || year > LAST_CALENDAR_YEAR) {
    return new DomainError(
      'INSTANT.OUTSIDE_CALENDAR',
      'invalid',
      `${field} must fall between ${FIRST_CALENDAR_YEAR} and ${LAST_CALENDAR_YEAR}, the years the working-day calendar covers`,
      { field },
    );
  }
  if (notBefore && isAfter(notBefore.instant, instant)) {
    return new DomainError(notBefore.code, 'invalid', `${field} (${instant}) is before ${notBefore.what} (${notBefore.instant})`, {
      field,
    });
  }
  return instant;
}

export const notBeforeReceipt = (state: ComplaintState) => ({
  instant: state.receivedAt,
  code: 'INSTANT.BEFORE_RECEIPT',
  what: 'the complaint was received',
});

/** A London date (deadline, due-by, review date) that is valid, in the calendar and not before `notBefore`. */
export function checkDate(field: string, value: string, notBefore?: { date: LocalDate; what: string }): LocalDate | DomainError {
  if (!isLocalDate(value)) return new DomainError('DATE.INVALID', 'invalid', `${field} is not an ISO date (YYYY-MM-DD)`, { field });
  const year = Number(value.slice(0, 4));
  if (year < FIRST_CALENDAR_YEAR || year > LAST_CALENDAR_YEAR) {
    return new DomainError(
      'DATE.OUTSIDE_CALENDAR',
      'invalid',
      `${field} must fall between ${FIRST_CALENDAR_YEAR} and ${LAST_CALENDAR_YEAR}`,
      { field },
    );
  }
  if (notBefore && value < notBefore.date) {
    return new DomainError('DATE.TOO_EARLY', 'invalid', `${field} (${value}) is before ${notBefore.what} (${notBefore.date})`, { field });
  }
  return value;
}

export function requireComplaint(state: ComplaintState | null): ComplaintState | DomainError {
  return state ?? new DomainError('COMPLAINT.NOT_FOUND', 'not_found', 'no complaint with this id has been received');
}

/** Lifecycle work (acknowledging, extending, escalating, responding) needs a live complaint. */
export function requireActive(state: ComplaintState): ComplaintState | DomainError {
  switch (statusOf(state)) {
    case 'withdrawn':
      return new DomainError('COMPLAINT.WITHDRAWN', 'conflict', 'the complaint was withdrawn');
    case 'not_accepted':
      // not accepted at stage 1, so under stage 1's Code, as the non-acceptance's own findings are
      return new DomainError(
        'COMPLAINT.NOT_ACCEPTED',
        'conflict',
        'the complaint was not accepted into the complaints process',
        cite(stageCode(state, 1), (code) => code.exclusion.acceptanceProvision),
      );
    default:
      return state;
  }
}

/** The record of a stage that has started: stage 1 always; stage 2 once escalated and not refused. */
export function requireStage(state: ComplaintState, stage: Stage): { record: StageRecord; startsAt: Instant } | DomainError {
  if (stage === 1) return { record: state.stage1, startsAt: state.receivedAt };
  if (!state.stage2) {
    return new DomainError('STAGE.NOT_STARTED', 'conflict', 'stage 2 has not started: the complaint has not been escalated', {
      field: 'stage',
      ...cite(stageCode(state, 1), (code) => code.progressionProvision),
    });
  }
  if (state.escalationRefusal) return escalationRefused(state, 'stage');
  return { record: stageRecord(state, 2)!, startsAt: state.stage2.requestedAt };
}

export function requireNotResponded(record: StageRecord, stage: Stage): true | DomainError {
  return record.response
    ? new DomainError('STAGE.ALREADY_RESPONDED', 'conflict', `stage ${stage} has already been responded to`, { field: 'stage' })
    : true;
}

/** Escalation was refused (Code 5.11 and its forerunners), so there is no stage 2 to work on or ask for. */
export function escalationRefused(state: ComplaintState, field?: string): DomainError {
  return new DomainError('ESCALATION.REFUSED', 'conflict', 'escalation to stage 2 was refused', {
    ...(field ? { field } : {}),
    ...cite(escalationCode(state), (code) => code.escalationRefusalProvision),
  });
}

/** Stage 2 comes only from a stage 1 response (Code 6.10 and its forerunners), judged under stage 1's Code. */
export function stage1NotResponded(state: ComplaintState, message: string): DomainError {
  return new DomainError(
    'ESCALATION.STAGE1_NOT_RESPONDED',
    'conflict',
    message,
    cite(stageCode(state, 1), (code) => code.progressionProvision),
  );
}
