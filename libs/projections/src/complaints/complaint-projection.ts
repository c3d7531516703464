import {
  assertedBreaches,
  COMPLAINT_EVENT_TYPES,
  complaintEventOf,
  currentStage,
  evaluateDeadlines,
  evolve,
  londonDateOf,
  nextAlertAt,
  statusOf,
  type AlertSettings,
  type ComplaintState,
  type ComplianceRules,
  type Deadline,
} from '@complaint-ledger/domain';
import { canonicalJson, type RecordedEvent } from '@complaint-ledger/event-store';
import { createHash } from 'node:crypto';
import type { Column, KeyedProjection } from '../projection';

/** One complaint as the read side keeps it: its folded state and where in the log it stands. */
export interface ComplaintDocument {
  readonly state: ComplaintState;
  readonly revision: number;
  /** The store's time of the last event: the instant columns are judged at, so rebuilds agree. */
  readonly lastRecordedAt: string;
}

const LEDGER_EVENT_TYPES = new Set<string>(COMPLAINT_EVENT_TYPES);

/** Deadlines are evaluated once per written document, not once per column that needs them. */
const evaluated = new WeakMap<ComplaintDocument, Deadline[]>();

function deadlinesOf(doc: ComplaintDocument, rules: ComplianceRules): Deadline[] {
  let deadlines = evaluated.get(doc);
  if (!deadlines) evaluated.set(doc, (deadlines = evaluateDeadlines(doc.state, doc.lastRecordedAt, rules)));
  return deadlines;
}

const responseDeadline = (deadlines: Deadline[], kind: 'stage1Response' | 'stage2Response') =>
  deadlines.find((deadline) => deadline.kind === kind);

/**
 * The response deadlines judged once every fact recorded has happened: at the later of the last
 * record time and the latest response or extension. A response may be dated a little ahead of the
 * ledger's clock (within LEDGER_CLOCK_SKEW_SECONDS); judged at the record time alone it had "not
 * yet happened", and CH02 counted it responded but never within the timescale, for good, where the
 * complaint's own deadlines and the annual report's self-assessment said it was met on time.
 */
function responseDeadlinesOf(doc: ComplaintDocument, rules: ComplianceRules): Deadline[] {
  const { state } = doc;
  const instants = [
    state.stage1.response?.at,
    state.stage2?.response?.at,
    ...[state.stage1, state.stage2].flatMap((record) => (record?.extensions ?? []).map((extension) => extension.notifiedAt)),
  ];
  const latest = instants.reduce<string>((max, at) => (at && at > max ? at : max), doc.lastRecordedAt);
  return latest === doc.lastRecordedAt ? deadlinesOf(doc, rules) : evaluateDeadlines(state, latest, rules);
}

const withinCode = (deadline: Deadline | undefined): number | null =>
  deadline?.metAt && deadline.withinCodeTimescale !== null ? Number(deadline.withinCodeTimescale) : null;

/**
 * The complaints read model: each complaint's state folded by the domain's own `evolve`, with
 * the columns that listing (`GET /v1/complaints`), breach detection (an index of the next
 * alert instant) and TSM statistics (decision 0007: the London dates of each counting event and whether
 * each response was within the Code's timescales) query.
 */
export function complaintProjection(rules: ComplianceRules, alerts: AlertSettings): KeyedProjection<ComplaintDocument> {
  const columns: Column<ComplaintDocument>[] = [
    { name: 'received_at', type: 'TEXT', of: (d) => d.state.receivedAt }, // indexed with the list's order below
    { name: 'status', type: 'TEXT', of: (d) => statusOf(d.state) },
    { name: 'stage', type: 'INTEGER', of: (d) => currentStage(d.state) },
    { name: 'tenure', type: 'TEXT', of: (d) => d.state.tenure },
    { name: 'category', type: 'TEXT', of: (d) => d.state.category },
    { name: 'channel', type: 'TEXT', of: (d) => d.state.channel },
    { name: 'revision', type: 'INTEGER', of: (d) => d.revision },
    { name: 'last_recorded_at', type: 'TEXT', of: (d) => d.lastRecordedAt },
    // breaches that hold on the facts as known (recorded and not retracted, decision 0017)
    { name: 'breaches', type: 'INTEGER', of: (d) => assertedBreaches(d.state).size },
    { name: 'breached', type: 'INTEGER', of: (d) => Number(assertedBreaches(d.state).size > 0) },
    {
      name: 'next_alert_at',
      type: 'TEXT',
      indexed: true,
      of: (d) => nextAlertAt(d.state, d.lastRecordedAt, rules, alerts, deadlinesOf(d, rules)),
    },
    // TSM (decision 0007): not accepted (Code section 2 exclusions) counts nowhere; a refused escalation is
    // not a stage 2 complaint; withdrawn complaints still count in CH01.
    { name: 'excluded', type: 'INTEGER', of: (d) => Number(d.state.nonAcceptance !== undefined) },
    { name: 'received_on', type: 'TEXT', of: (d) => londonDateOf(d.state.receivedAt) },
    {
      name: 'escalated_on',
      type: 'TEXT',
      of: (d) => (d.state.stage2 && !d.state.escalationRefusal ? londonDateOf(d.state.stage2.requestedAt) : null),
    },
    { name: 'stage1_responded_on', type: 'TEXT', of: (d) => respondedOn(d.state, 1) },
    {
      name: 'stage1_within_code',
      type: 'INTEGER',
      of: (d) => withinCode(responseDeadline(responseDeadlinesOf(d, rules), 'stage1Response')),
    },
    { name: 'stage2_responded_on', type: 'TEXT', of: (d) => respondedOn(d.state, 2) },
    {
      name: 'stage2_within_code',
      type: 'INTEGER',
      of: (d) => withinCode(responseDeadline(responseDeadlinesOf(d, rules), 'stage2Response')),
    },
    { name: 'last_dated_on', type: 'TEXT', of: (d) => lastDatedOn(d.state, deadlinesOf(d, rules)) },
    // when each fact the status turns on happened (business time): the status, stage and TSM counts at any `asOf`
    // follow from these in SQL (complaint-at.ts), with no complaint folded again
    { name: 'stage1_responded_at', type: 'TEXT', of: (d) => d.state.stage1.response?.at ?? null },
    { name: 'escalated_at', type: 'TEXT', of: (d) => d.state.stage2?.requestedAt ?? null },
    { name: 'escalation_requested_on', type: 'TEXT', of: (d) => (d.state.stage2 ? londonDateOf(d.state.stage2.requestedAt) : null) },
    { name: 'stage2_responded_at', type: 'TEXT', of: (d) => d.state.stage2?.response?.at ?? null },
    { name: 'escalation_refused_at', type: 'TEXT', of: (d) => d.state.escalationRefusal?.decidedAt ?? null },
    { name: 'not_accepted_at', type: 'TEXT', of: (d) => d.state.nonAcceptance?.decidedAt ?? null },
    { name: 'withdrawn_at', type: 'TEXT', of: (d) => d.state.withdrawal?.withdrawnAt ?? null },
  ];
  return {
    name: 'complaints',
    // the rules decide the columns: other timescales or closure days mean another read model; the number moves
    // when the domain's judgement does (7: an extension notified late or without the Ombudsman's details moves nothing;
    // 8: CH02 by the Code's own timescales where the landlord publishes shorter ones; 9: CH02 judged once every response
    // recorded has happened, one dated a little ahead of the record time included)
    version: `9:${createHash('sha256')
      .update(canonicalJson({ timescales: rules.landlordTimescales ?? {}, calendar: rules.calendar.options, alerts }))
      .digest('hex')
      .slice(0, 12)}`,
    columns,
    // the list's order, newest first, with its tie-breaker; and the last date, so TSM and the annual report
    // pass over a complaint dated wholly before their year in the index, never reading its row
    indexes: [
      ['received_at', 'key', 'last_dated_on'],
      // every filter of the list at once, then its order: a filter matching few complaints is found by it (complaint-list.ts)
      ['status', 'stage', 'tenure', 'breached', 'received_at', 'key'],
    ],
    // what the read model said at any instant (knownAt): the list and TSM read the spans valid then
    history: {
      unversioned: ['revision', 'last_recorded_at', 'next_alert_at'],
      indexes: [
        ['received_at', 'key', 'known_from', 'known_to', 'last_dated_on'],
        ['known_to', 'known_from'],
      ],
    },
    keyOf: (event) => (LEDGER_EVENT_TYPES.has(event.type) ? complaintIdOf(event) : null),
    evolve: (doc, event) => {
      const state = evolve(doc?.state ?? null, complaintEventOf(event));
      if (!state) return doc;
      return { state, revision: event.revision, lastRecordedAt: event.metadata.recordedAt };
    },
  };
}

const DATED = /^\d{4}-\d{2}-\d{2}/;

/**
 * The last date anything about the complaint is dated: every fact and correction, every due date
 * (those still ahead included) and every time met, as a UTC or London calendar date. Until a new
 * fact arrives, which writes the document again, nothing the annual report counts can happen
 * after it: a pending deadline turns breached on its due date, a breach is dated by its due date,
 * an unfinished remedy is overdue from its due date. A report for a year that starts after this
 * date finds nothing of the complaint in it: it and TSM pass over the complaint unread.
 */
function lastDatedOn(state: ComplaintState, deadlines: readonly Deadline[]): string {
  let latest = '';
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (DATED.test(value) && value.slice(0, 10) > latest) latest = value.slice(0, 10);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(state);
  visit(deadlines);
  return latest;
}

function respondedOn(state: ComplaintState, stage: 1 | 2): string | null {
  const response = stage === 1 ? state.stage1.response : state.stage2?.response;
  return response ? londonDateOf(response.at) : null;
}

function complaintIdOf(event: RecordedEvent): string | null {
  const id = (event.data as { complaintId?: unknown }).complaintId;
  return typeof id === 'string' ? id : null;
}
