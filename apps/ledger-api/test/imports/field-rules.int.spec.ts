import { getMetadataStorage } from 'class-validator';
import { classOf, COMMAND_FIELDS, IMPORT_KINDS, type ImportKind } from '@complaint-ledger/ledger';
import { requestOf } from '../../src/complaints/command-registry';

// where @Type keeps a field's class (class-transformer exports it only from its build)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/**
 * The import checks each row's data by the API's rules (libs/ledger/src/import/command-fields.ts):
 * for every command a row can carry, the core's fields carry exactly the validation the route's
 * request DTO carries — the same rules with the same options on the same fields, nested classes
 * alike — so a row is refused for what a request would be refused for, and named alike.
 */
type Rules = Record<string, unknown>;

function rulesOf(target: new () => object, omit: readonly string[] = []): Rules {
  const rules: Record<string, string[]> = {};
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    if (omit.includes(meta.propertyName)) continue;
    const message = typeof meta.message === 'string' ? meta.message : '';
    const constraints = JSON.stringify(meta.constraints ?? [], (_key, value: unknown) => (value instanceof RegExp ? String(value) : value));
    (rules[meta.propertyName] ??= []).push(`${meta.type} ${meta.name ?? ''} ${constraints} ${meta.each ? 'each' : ''} ${message}`.trim());
  }
  const described: Rules = {};
  for (const [property, list] of Object.entries(rules)) {
    const type = defaultMetadataStorage.findTypeMetadata(target, property);
    described[property] = { rules: list.sort(), ...(type ? { nested: rulesOf(type.typeFunction() as new () => object) } : {}) };
  }
  return described;
}

/** What the route fills in itself, and the import does otherwise (a new complaint's id from the row's reference). */
const ROUTE_ONLY: Partial<Record<ImportKind, string[]>> = {
  ReceiveComplaint: ['complaintId'],
  // documents are attached over HTTP one by one before a fact names them: a row cannot carry their bytes
  RespondToComplaint: ['documentIds'],
  RecordCorrespondence: ['documentIds'],
};

describe("the import's field rules are the API's", () => {
  it.each(IMPORT_KINDS)('%s: the same rules on the same fields', (kind) => {
    const api = rulesOf(requestOf(kind) as new () => object, ROUTE_ONLY[kind]);
    const core = rulesOf(classOf(`${kind}Fields`, COMMAND_FIELDS[kind]));
    expect(Object.keys(api).length).toBeGreaterThan(0);
    expect(core).toEqual(api);
  });
});
