import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakingChanges } from '../../../tools/contracts/compatibility';

/**
 * Every published schema, compared with the same schema as released (contracts/released/<version>):
 * a change a v1 consumer would trip over fails here, and needs a v2 topic instead
 * (docs/integration.md, compatibility). On each release the contracts are copied there.
 */
const contracts = join(__dirname, '..', 'contracts');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const releases = readdirSync(join(contracts, 'released'));

/**
 * The breaking changes made within v1 on purpose, each said to integrators (docs/integration.md,
 * "Fields withdrawn within v1"): personal data that 1.0 published in clear, withdrawn at once
 * rather than published for a deprecation period. Nothing else may appear here.
 */
const WITHDRAWN_WITHIN_V1: Record<string, Record<string, readonly string[]>> = {
  '1.0': {
    'event-data.v1.schema.json': [
      '#/$defs/ComplaintReceived/properties/relatedServiceRequest: removed',
      '#/$defs/CorrespondenceRecorded/properties/documentRef: removed',
      '#/$defs/Representative/properties/relationship: removed',
      '#/$defs/RepresentativeAuthorised/properties/relationship: removed',
    ],
  },
};

describe.each(releases)('against release %s', (release) => {
  it.each(readdirSync(join(contracts, 'released', release)))('%s changed only in ways v1 consumers accept', (file) => {
    const changes = breakingChanges(read(join(contracts, 'released', release, file)), read(join(contracts, file)));
    expect(changes).toEqual(WITHDRAWN_WITHIN_V1[release]?.[file] ?? []);
  });
});

/**
 * The one rename since 1.0: the schemas' names moved from a placeholder web domain to the project's
 * URN namespace (docs/integration.md, "Schema names"). Any other change of a `$id` fails here.
 */
const renamedSince10 = (id: string) =>
  id.replace(/^https:\/\/complaint-ledger\.example\/contracts\/([a-z-]+)\.v(\d+)\.schema\.json$/, 'urn:complaint-ledger:schema:$1:v$2');

describe.each(releases)('the names of release %s', (release) => {
  it.each(readdirSync(join(contracts, 'released', release)))('%s is named as released, or as renamed after 1.0', (file) => {
    const released = read(join(contracts, 'released', release, file)).$id as string;
    expect(read(join(contracts, file)).$id).toBe(release === '1.0' ? renamedSince10(released) : released);
  });
});

describe('the check itself', () => {
  const released = {
    type: 'object',
    required: ['eventId', 'kind'],
    properties: { eventId: { type: 'string', format: 'uuid' }, kind: { enum: ['a', 'b'] }, note: { type: 'string' } },
  };

  it('accepts what v1 allows: a new optional field, a field now required, a list narrowed, objects opened', () => {
    const current = {
      ...released,
      required: ['eventId', 'kind', 'note'],
      properties: { ...released.properties, kind: { enum: ['a'] }, added: { type: 'integer' } },
    };
    expect(breakingChanges(released, current)).toEqual([]);
  });

  it.each<[string, object, RegExp]>([
    [
      'a field removed',
      { ...released, properties: { eventId: released.properties.eventId, kind: released.properties.kind } },
      /note: removed/,
    ],
    ['a field no longer required', { ...released, required: ['eventId'] }, /kind is no longer required/],
    [
      'a type changed',
      { ...released, properties: { ...released.properties, note: { type: 'number' } } },
      /note: type \["string"\] became \["number"\]/,
    ],
    [
      'a format changed',
      { ...released, properties: { ...released.properties, eventId: { type: 'string' } } },
      /eventId: format "uuid" became undefined/,
    ],
    [
      'a value added to a closed list',
      { ...released, properties: { ...released.properties, kind: { enum: ['a', 'b', 'c'] } } },
      /kind: enum gained \["c"\]/,
    ],
  ])('finds %s', (_, current, finding) => {
    expect(breakingChanges(released, current as Record<string, unknown>).join('\n')).toMatch(finding);
  });
});
