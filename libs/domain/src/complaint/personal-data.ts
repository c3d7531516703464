import type { ComplaintEvent, ComplaintEventType } from './events';

/**
 * Where each event carries personal data: what identifies a resident or a representative, and
 * everything about disabilities and adjustments (special category data under UK GDPR, recorded
 * because Code 5.10 asks for it). One list, used wherever personal data must be left out or
 * protected. Paths are dotted, relative to the event's data.
 */
export const PERSONAL_DATA_PATHS: Partial<Record<ComplaintEventType, readonly string[]>> = {
  ComplaintReceived: ['resident.name', 'resident.email', 'resident.phone', 'resident.address', 'representative.name'],
  RepresentativeAuthorised: ['name'],
  ReasonableAdjustmentRecorded: ['adjustment', 'disclosedNeeds'],
};

/**
 * A copy of the event's data in which each personal-data value present is replaced by what
 * `replace` returns (removed when it returns undefined), with the paths that were present.
 */
export function mapPersonalData(
  event: Pick<ComplaintEvent, 'type' | 'data'>,
  replace: (value: unknown, path: string) => unknown,
): { data: object; paths: string[] } {
  const data = structuredClone(event.data) as Record<string, unknown>;
  const paths: string[] = [];
  for (const path of PERSONAL_DATA_PATHS[event.type] ?? []) {
    const segments = path.split('.');
    const parent = segments
      .slice(0, -1)
      .reduce<Record<string, unknown> | undefined>(
        (node, key) => (node && typeof node[key] === 'object' && node[key] !== null ? (node[key] as Record<string, unknown>) : undefined),
        data,
      );
    const leaf = segments.at(-1)!;
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
