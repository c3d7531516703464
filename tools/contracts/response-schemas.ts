import { byName, schemaGenerator, type Schema } from './schema-generator';

/** The API's response bodies, by the names in apps/ledger-api/src/http/responses.ts. */
export const RESPONSE_TYPES = [
  'ComplaintView',
  'ComplaintHistory',
  'ComplaintExport',
  'ChainVerdict',
  'ComplaintListPage',
  'BreachesPage',
  'TsmStatistics',
  'AnnualReportBody',
  'LedgerIntegrityBody',
  'CheckpointKey',
  'ErasureBody',
  'ReadinessBody',
  'LedgerConsistency',
  'ComplaintDocuments',
  'AttachedDocument',
  'ImportAccepted',
  'ImportStatusBody',
  'MappingSaved',
] as const;

/**
 * OpenAPI 3.0 schemas of the API's response bodies (apps/ledger-api/src/http/response-schemas.json),
 * generated from the TypeScript types the controllers return, with the types they use: written
 * by `npm run contracts:generate`, checked against a fresh generation by a test, merged into the
 * served document by completeOpenApi.
 */
export function responseSchemas(): Record<string, Schema> {
  const generator = schemaGenerator('apps/ledger-api/src/http/responses.ts', {
    topRef: false,
    additionalProperties: true, // bodies may gain fields; clients ignore what they do not know
  });
  const schemas: Record<string, Schema> = {};
  for (const type of RESPONSE_TYPES) {
    const { definitions = {}, ...root } = generator.createSchema(type) as Schema & { definitions?: Record<string, Schema> };
    delete root.$schema;
    schemas[type] = root;
    for (const [name, definition] of Object.entries(definitions)) schemas[componentName(name)] = definition;
  }
  return Object.fromEntries(Object.entries(byName(schemas)).map(([name, schema]) => [name, toOpenApi30(schema) as Schema]));
}

/** OpenAPI 3.0 names components with letters, digits, `.`, `-` and `_` only: `Page<Alert>` becomes `Page_Alert`. */
const componentName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+$/, '');

/**
 * JSON Schema (draft-07) as OpenAPI 3.0 reads it: `nullable` for null, `enum` for `const`,
 * components for references, and a reference with a description of its own wrapped in `allOf`
 * (OpenAPI 3.0 ignores whatever stands beside a `$ref`, so the description would be lost).
 */
function toOpenApi30(node: unknown): unknown {
  const converted = toOpenApi30Keywords(node);
  if (!converted || typeof converted !== 'object' || Array.isArray(converted)) return converted;
  const { $ref, ...siblings } = converted as Schema;
  return $ref !== undefined && Object.keys(siblings).length ? { allOf: [{ $ref }], ...siblings } : converted;
}

function toOpenApi30Keywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi30);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === '$ref') out.$ref = `#/components/schemas/${componentName(decodeURIComponent(String(value).replace('#/definitions/', '')))}`;
    else if (key === 'const') out.enum = [value];
    else if (key === 'type' && value === 'null')
      out.enum = [null]; // OpenAPI 3.0 has no null type
    else if (key === 'type' && Array.isArray(value) && value.includes('null')) {
      const rest = value.filter((type) => type !== 'null');
      out.type = rest.length === 1 ? rest[0] : rest;
      out.nullable = true;
    } else out[key] = toOpenApi30(value);
  }
  return out;
}
