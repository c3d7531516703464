import type { ComplaintEvent, ComplaintEventType } from './events';

/**
 * Where each event carries personal data: what identifies a resident or a representative,
 * everything about disabilities and adjustments (special category data under UK GDPR, recorded
 * because Code 5.10 asks for it), and every free-text field. Free text is personal data by
 * default: a summary, a reason or a letter's gist is where people type names, phone numbers and
 * health details, and no rule can tell when they did. Structured fields (dates, stages, decisions,
 * grounds, categories, amounts, references) stay in clear, so every deadline, finding and
 * statistic works after erasure. One list, used wherever personal data must be left out or
 * protected. Paths are dotted, relative to the event's data; a list of strings is protected whole.
 */
export const PERSONAL_DATA_PATHS: Partial<Record<ComplaintEventType, readonly string[]>> = {
  ComplaintReceived: [
    'summary',
    'outcomeSought',
    'resident.name',
    'resident.email',
    'resident.phone',
    'resident.address',
    'representative.name',
    // who speaks for the resident says something about them (a carer, a social worker, a solicitor)
    'representative.relationship',
    // the landlord's repair job behind the complaint: it leads to the resident's home and what went wrong there
    'relatedServiceRequest',
  ],
  // `handler` (here, in Responded and in HandlerAssigned) stays in clear: it names a member of the landlord's
  // staff, not the resident, and the rule that stage 2 is heard by someone not involved at stage 1 compares it
  // (findings.ts, same-handler-both-stages: Code 2024 6.13, 2022 5.12), which an encrypted value, under a random
  // IV per value, could not be. Landlords should record a staff reference, not a name typed with other details.
  Acknowledged: ['complaintDefinition', 'outcomesSought', 'responsibilityNotes'],
  // an extension's `reason` is the landlord's own, counted by the annual report (Code 8): in clear
  Extended: ['goodReason'],
  Escalated: ['reason'],
  Responded: ['reasons', 'outstandingActions'],
  RemedyOffered: ['description'],
  RemedyCompleted: ['notes'],
  ComplaintNotAccepted: ['explanation'],
  EscalationRefused: ['explanation'],
  // a document's reference is often its file name: a resident's name, a letter's subject
  CorrespondenceRecorded: ['summary', 'documentRef'],
  DocumentAttached: ['title'],
  ReasonableAdjustmentRecorded: ['adjustment', 'disclosedNeeds'],
  RepresentativeAuthorised: ['name', 'relationship'],
  ComplaintWithdrawn: ['reason'],
  // why a fact was corrected; the replacement's own paths are those of the type it replaces (stepsOf)
  FactCorrected: ['reason'],
};

/** The same paths, split once into the members leading to the value and the value's own name. */
const PERSONAL_DATA_STEPS = Object.fromEntries(
  Object.entries(PERSONAL_DATA_PATHS).map(([type, paths]) => [
    type,
    paths.map((path) => {
      const segments = path.split('.');
      return { path, parents: segments.slice(0, -1), leaf: segments.at(-1)! };
    }),
  ]),
) as Partial<Record<ComplaintEventType, readonly { path: string; parents: readonly string[]; leaf: string }[]>>;

/** A correction carries the replaced fact's data under `replacement`: its personal data is where that type's is. */
function stepsOf(event: Pick<ComplaintEvent, 'type' | 'data'>) {
  const own = PERSONAL_DATA_STEPS[event.type] ?? [];
  if (event.type !== 'FactCorrected') return own;
  const replaced = PERSONAL_DATA_STEPS[(event.data as { correctedType: ComplaintEventType }).correctedType] ?? [];
  return [
    ...own,
    ...replaced.map(({ path, parents, leaf }) => ({ path: `replacement.${path}`, parents: ['replacement', ...parents], leaf })),
  ];
}

type Node = Record<string, unknown> | unknown[];
const copyOf = (node: Node): Node => (Array.isArray(node) ? [...node] : { ...node });

/**
 * A copy of the event's data in which each personal-data value present is replaced by what
 * `replace` returns (removed when it returns undefined), with the paths that were present. Only
 * the objects on those paths are copied; the rest is shared with the event, which is left as it
 * was. Every command encrypts its event's personal data this way, so a deep copy of the whole
 * event, most of which holds no personal data, is not paid for each time.
 */
export function mapPersonalData(
  event: Pick<ComplaintEvent, 'type' | 'data'>,
  replace: (value: unknown, path: string) => unknown,
): { data: object; paths: string[] } {
  const data = copyOf(event.data as Node) as Record<string, unknown>;
  const paths: string[] = [];
  for (const { path, parents, leaf } of stepsOf(event)) {
    let parent: Record<string, unknown> | undefined = data;
    for (const key of parents) {
      const child: unknown = parent[key];
      parent = child && typeof child === 'object' ? ((parent[key] = copyOf(child as Node)) as Record<string, unknown>) : undefined;
      if (!parent) break;
    }
    if (!parent || !(leaf in parent)) continue;
    const value = replace(parent[leaf], path);
    if (value === undefined) delete parent[leaf];
    else parent[leaf] = value;
    paths.push(path);
  }
  return { data, paths };
}

/** The event's data without its personal data, and the paths that were present and removed. */
export function withoutPersonalData(event: Pick<ComplaintEvent, 'type' | 'data'>): { data: object; removed: string[] } {
  const { data, paths } = mapPersonalData(event, () => undefined);
  return { data, removed: paths };
}
