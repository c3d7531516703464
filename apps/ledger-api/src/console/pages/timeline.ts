import type { Deadline, Finding } from '@complaint-ledger/domain';
import type { Principal } from '../../auth/principal';
import { deadlineName, html, query, ukDate, ukTime, words, type Html, table } from '../html';
import { mayOpen, page } from '../layout';

/** One event as the timeline shows it (the history's fields; `data` only for those who may read it). */
export interface TimelineEvent {
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly correctedBy?: readonly number[];
  readonly data?: Record<string, unknown>;
}

/** A place the replay control can stand: just after a fact, in the order the facts happened. */
export interface ReplayStep {
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
}

export interface TimelineModel {
  readonly id: string;
  readonly view: {
    readonly revision: number;
    readonly asOf: string;
    readonly knownAt?: string;
    readonly status: string;
    readonly stage: number;
    readonly codeVersion: string;
    readonly receivedAt: string;
    readonly category: string;
    readonly tenure: string;
    readonly residentReference: string;
    readonly deadlines: readonly Omit<Deadline, 'extensions'>[];
    readonly findings: readonly Finding[];
  };
  readonly events: readonly TimelineEvent[];
  readonly steps: readonly ReplayStep[];
  /** The replay position: a step, or null for now. */
  readonly step: number | null;
  readonly asOfDate?: string;
  readonly recordedBy?: number;
  readonly chain: { readonly valid: boolean; readonly events: number | null; readonly firstInvalidRevision: number | null };
  readonly ledger: { readonly status: string; readonly checkpoint: { readonly position: number; readonly at: string } | null };
  readonly lastPosition: number;
}

const statusText = (d: Omit<Deadline, 'extensions'>) =>
  d.status === 'met_late' || d.status === 'breached'
    ? `${words(d.status)}, ${d.workingDaysLate} working day${d.workingDaysLate === 1 ? '' : 's'} late`
    : words(d.status);

const stepLabel = (step: ReplayStep) => `${ukTime(step.occurredAt)}: ${words(step.type)} (revision ${step.revision})`;
const DAY_MS = 86_400_000;
const recordedLate = (event: { readonly occurredAt: string; readonly recordedAt: string }) =>
  Date.parse(event.recordedAt) - Date.parse(event.occurredAt) > DAY_MS;

/**
 * A complaint's record as a replayable timeline: every fact on a time axis (late recording
 * marked), deadlines as spans from start to due, findings and corrections, the integrity of the
 * chain and the checkpoint covering it. The replay control drives the API's own views (asOf by
 * business time, knownAt by revision); every figure drawn is also in a table.
 */
export function timelinePage(principal: Principal, model: TimelineModel): string {
  const { view, id } = model;
  const base = `/console/complaints/${id}`;
  const auditor = mayOpen(principal, ['auditor']);
  const body = html` <p>
      ${words(view.status)} at stage ${view.stage}, under the ${view.codeVersion} Code · received ${ukTime(view.receivedAt)} ·
      ${view.category} · ${view.tenure} · resident reference ${view.residentReference}
    </p>
    <div class="notice">
      <p>
        Shown as it stood at
        <strong>${ukTime(view.asOf)}</strong
        >${view.knownAt ? html`, as the ledger knew it at <strong>${ukTime(view.knownAt)}</strong>` : ''} (revision ${view.revision}).
      </p>
    </div>
    ${replayControls(model, base)} ${timelineSvg(model)}
    <h2>Deadlines</h2>
    ${table(
      `Deadlines as they stood then, with the Code provision`,
      ['Deadline', 'Provision', 'Clock started', 'Due by', 'Met', 'Status'],
      view.deadlines.map(
        (d) =>
          html`<tr>
            <th scope="row">${deadlineName(d.kind)}</th>
            <td>${d.codeVersion} Code ${d.provision}</td>
            <td>${ukTime(d.startsAt)}</td>
            <td>${ukTime(d.dueAt)}</td>
            <td>${ukTime(d.metAt)}</td>
            <td><span class="tag status-${d.status}">${statusText(d)}</span></td>
          </tr>`,
      ),
    )}
    <h2>Findings</h2>
    ${
      view.findings.length
        ? table(
            `What the Code forbids that happened, and notes for the auditor`,
            ['When', 'Provision', 'Severity', 'Finding'],
            view.findings.map(
              (f) =>
                html`<tr>
                  <td>${ukTime(f.at)}</td>
                  <td>${f.codeVersion} Code ${f.provision}</td>
                  <td>${words(f.severity)}</td>
                  <td>${f.message}</td>
                </tr>`,
            ),
          )
        : html`<p>No findings.</p>`
    }
    <h2>Facts recorded</h2>
    ${factsTable(model, auditor)}
    <h2>Integrity</h2>
    ${integrity(model)}
    <p><a class="button" href="${base}/evidence-pack" download>Download the evidence pack for the Ombudsman (ZIP)</a></p>
    ${auditor ? html`<p><a class="button" href="${base}/export" download>Download the auditor's export (JSON)</a></p>` : ''}`;
  return page(`Complaint ${id}`, body, principal, '/console/complaints');
}

function replayControls(model: TimelineModel, base: string): Html {
  const { steps } = model;
  const at = model.step ?? steps.length - 1;
  const label = model.step === null ? 'Now: every fact' : stepLabel(steps[at]!);
  const link = (step: number, text: string) => html`<a href="${base}${query({ step })}">${text}</a>`;
  return html`<h2>Replay</h2>
    <p id="replay-help">
      To see this complaint as it was at an earlier moment, move the slider to step through its facts in the order they happened, or below
      choose a day (what had happened by its end, whenever it was entered) or a point in the record (only what had been entered by then,
      before later corrections).
    </p>
    <form class="replay" method="get" action="${base}" data-autosubmit aria-label="Replay by fact" aria-describedby="replay-help">
      <div>
        <label for="step">As it stood after</label>
        <input
          type="range"
          id="step"
          name="step"
          min="0"
          max="${steps.length - 1}"
          step="1"
          value="${at}"
          aria-valuetext="${label}"
          aria-describedby="step-label"
        />
        <output id="step-label" for="step">${label}</output>
      </div>
      <ol hidden>
        ${steps.map((step) => html`<li data-step-label>${stepLabel(step)}</li>`)}
      </ol>
      <div><button type="submit">Show</button></div>
    </form>
    <nav class="pager" aria-label="Replay steps">
      ${at > 0 ? link(at - 1, 'Earlier fact') : ''}${at < steps.length - 1 ? link(at + 1, 'Later fact') : ''}<a href="${base}">Now</a>
    </nav>
    <form class="replay" method="get" action="${base}" aria-label="Replay by date or by revision">
      <div>
        <label for="asOf">As it stood on</label><input id="asOf" name="asOf" type="date" value="${model.asOfDate ?? ''}" />
        <span class="hint">what had happened by the end of that day, including facts entered later</span>
      </div>
      <div>
        <label for="recordedBy">As recorded up to</label
        ><select id="recordedBy" name="recordedBy">
          <option value="">Everything recorded</option>
          ${model.events.map((e) => html`<option value="${e.revision}" ${e.revision === model.recordedBy ? html` selected` : ''}>revision ${e.revision}: ${words(e.type)}, recorded ${ukTime(e.recordedAt)}</option>`)}</select
        ><span class="hint">only what had been entered by then</span>
      </div>
      <div><button type="submit">Show</button></div>
    </form>`;
}

function timelineSvg(model: TimelineModel): Html {
  const { view, events } = model;
  // the facts as corrected (the replay's steps), each where it now stands in time; a voided fact is not drawn
  const recordedAt = new Map(events.map((e) => [e.revision, e.recordedAt]));
  const facts = model.steps.map((step) => ({ ...step, recordedAt: recordedAt.get(step.revision)! }));
  const deadlines = view.deadlines.filter((d) => d.startsAt && d.dueAt);
  const times = [
    ...model.steps.map((s) => Date.parse(s.occurredAt)),
    ...deadlines.flatMap((d) => [Date.parse(d.startsAt!), Date.parse(d.dueAt!), ...(d.metAt ? [Date.parse(d.metAt)] : [])]),
  ];
  const from = Math.min(...times) - DAY_MS;
  const to = Math.max(...times) + DAY_MS;
  const [left, right] = [20, 980];
  const x = (ms: number) => left + ((right - left) * (Math.min(Math.max(ms, from), to) - from)) / (to - from);
  const height = 90 + deadlines.length * 42;
  const asOf = Date.parse(view.asOf);
  const ticks = monthTicks(from, to);
  const description = [
    `${facts.length} facts from ${ukDate(new Date(from + DAY_MS).toISOString())} to ${ukDate(new Date(to - DAY_MS).toISOString())}.`,
    ...deadlines.map((d) => `${deadlineName(d.kind)}: from ${ukDate(d.startsAt)} to ${ukDate(d.dueAt)}, ${statusText(d)}.`),
  ].join(' ');
  return html`<h2>Timeline</h2>
    <svg class="timeline" viewBox="0 0 1000 ${height}" role="img" aria-labelledby="timeline-title timeline-desc">
      <title id="timeline-title">Timeline of the complaint's facts and deadlines</title>
      <desc id="timeline-desc">${description} The tables below give the same facts and deadlines.</desc>
      <g class="axis">
        ${ticks.map((t) => html`<line x1="${x(t.ms).toFixed(1)}" x2="${x(t.ms).toFixed(1)}" y1="22" y2="${height - 10}"></line><text x="${(x(t.ms) + 3).toFixed(1)}" y="14">${t.label}</text>`)}
      </g>
      ${facts.map(
        (e) =>
          html`<circle class="fact${recordedLate(e) ? ' late-recorded' : ''}" cx="${x(Date.parse(e.occurredAt)).toFixed(1)}" cy="45" r="6"
            ><title>${words(e.type)}, ${ukTime(e.occurredAt)}${recordedLate(e) ? `; recorded ${ukTime(e.recordedAt)}` : ''}</title></circle
          >`,
      )}
      <text x="${left}" y="70">Facts (a hollow mark: recorded more than a day after it happened)</text>
      ${deadlines.map((d, i) => {
        const y = 85 + i * 42;
        const start = x(Date.parse(d.startsAt!));
        const width = Math.max(3, x(Date.parse(d.dueAt!)) - start);
        return html`<rect class="bar-${d.status}" x="${start.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="12"></rect>
          <text x="${start.toFixed(1)}" y="${y + 28}"
            >${deadlineName(d.kind)} (${d.codeVersion} Code ${d.provision}): ${statusText(d)}</text
          >`;
      })}
      ${asOf >= from && asOf <= to ? html`<line class="asof" x1="${x(asOf).toFixed(1)}" x2="${x(asOf).toFixed(1)}" y1="22" y2="${height - 10}"></line>` : ''}
    </svg>`;
}

/** One tick per month across short spans, per year across long ones. */
function monthTicks(from: number, to: number): { ms: number; label: string }[] {
  const start = new Date(from);
  const years = (to - from) / (365 * DAY_MS);
  const stepMonths = years > 4 ? 12 : years > 1.5 ? 3 : 1;
  const ticks: { ms: number; label: string }[] = [];
  for (let month = start.getUTCMonth() + 1, year = start.getUTCFullYear(); ; month += stepMonths) {
    const ms = Date.UTC(year, month, 1);
    if (ms > to) break;
    if (ticks.length > 40) break;
    ticks.push({ ms, label: new Date(ms).toLocaleString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }) });
  }
  return ticks;
}

function factsTable(model: TimelineModel, auditor: boolean): Html {
  const corrects = new Map<number, number>();
  for (const e of model.events)
    if (e.type === 'FactCorrected' && typeof e.data?.correctedRevision === 'number') corrects.set(e.revision, e.data.correctedRevision);
  return table(
    `Every event in the complaint's stream, in the order recorded`,
    ['Revision', 'Fact', 'Happened', 'Recorded', 'By', 'Notes'],
    model.events.map((e) => {
      const notes = [
        recordedLate(e) ? 'recorded later' : '',
        e.correctedBy?.length ? `corrected by revision ${e.correctedBy.join(', ')}` : '',
        corrects.has(e.revision) ? `corrects revision ${corrects.get(e.revision)}` : '',
      ].filter(Boolean);
      return html`<tr>
        <td class="num">${e.revision}</td>
        <td>${words(e.type)}${auditor && e.data ? details(e.data) : ''}</td>
        <td>${ukTime(e.occurredAt)}</td>
        <td>${ukTime(e.recordedAt)}</td>
        <td>${e.actor}</td>
        <td>${notes.join('; ')}</td>
      </tr>`;
    }),
  );
}

function details(data: Record<string, unknown>): Html {
  const entries = Object.entries(data).filter(([name]) => name !== 'complaintId');
  return html`<details>
    <summary>What was recorded</summary>
    <dl class="data">
      ${entries.map(
        ([name, value]) =>
          html`<dt>${words(name)}</dt>
            <dd>${typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>`,
      )}
    </dl>
  </details>`;
}

function integrity(model: TimelineModel): Html {
  const { chain, ledger } = model;
  const covered = ledger.checkpoint && ledger.checkpoint.position >= model.lastPosition;
  return html`<ul>
    <li>
      ${chain.valid ? html`This complaint's hash chain is intact: ${chain.events} events, each linked to the one before.` : html`<strong class="status-breached">This complaint's hash chain is broken at revision ${chain.firstInvalidRevision}.</strong>`}
    </li>
    <li>
      The whole ledger:
      ${ledger.status === 'intact' ? 'verified intact' : ledger.status === 'broken' ? html`<strong class="status-breached">integrity broken</strong>` : 'being verified'}.
      ${
        covered
          ? html`Every event of this complaint is covered by the signed checkpoint of ${ukTime(ledger.checkpoint!.at)} (log position
            ${ledger.checkpoint!.position}).`
          : ledger.checkpoint
            ? html`Its latest events are after the last signed checkpoint (${ukTime(ledger.checkpoint.at)}); the next one covers them.`
            : 'No signed checkpoint yet.'
      }
    </li>
  </ul>`;
}
