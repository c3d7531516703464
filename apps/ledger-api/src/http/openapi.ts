import type { OpenAPIObject } from '@nestjs/swagger';
// generated from ./responses.ts by npm run contracts:generate (tools/contracts/response-schemas.ts)
import responseSchemas from './response-schemas.json';

type Operation = {
  operationId?: string;
  tags?: string[];
  parameters?: object[];
  responses: Record<string, { description: string; content?: object; headers?: object }>;
  requestBody?: object;
  security?: object[];
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** What each error means wherever it can occur; every one is `application/problem+json`. */
const ERRORS = {
  400: problem('Malformed or invalid input: `errors` names each field and the rule it broke (unknown fields included)'),
  401: problem('No credential, or one the ledger does not know'),
  403: problem('A credential whose roles this operation does not allow'),
  404: problem('No such complaint (or not yet received / recorded at the time asked for)'),
  409: problem(
    "Not possible in the complaint's state, citing the Code provision; or a stored event that cannot be read, or a record altered in the log, named by revision",
  ),
  412: problem('`If-Match` names a revision the complaint has moved on from'),
  413: problem('Body over 256 KiB'),
  415: problem('The body is not `application/json`'),
  422: problem('An impossible value, or an `Idempotency-Key` reused with another body'),
  429: problem('Over the rate limit: see `Retry-After`'),
  503: problem(
    "The store is unavailable or the ledger's integrity is broken (nothing was recorded), or the store did not confirm the write (code STORE.OUTCOME_UNKNOWN: it may have been recorded; send the same request again to learn which)",
  ),
} as const;

const HEADERS = {
  ifMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The complaint\'s revision this command was decided on, quoted (`"3"`): the command is refused with 412 if it moved on. Without it, a concurrent change is re-read and the command decided again.',
    schema: { type: 'string', pattern: '^"\\d+"$', example: '"0"' },
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the same key with the same body answers as the first time and records nothing more (`Idempotent-Replayed: true`); with another body, 422.',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

/** The queries answered from the read models, refused while they are rebuilt after disagreeing with the log. */
const READ_MODEL_PATHS = ['/v1/complaints', '/v1/breaches', '/v1/statistics/tsm', '/v1/reports/annual'];

/** Which response type each query answers with (its 2xx body), by operation id. */
const QUERY_BODIES: Record<string, keyof typeof responseSchemas> = {
  ComplaintQueriesController_get: 'ComplaintView',
  ComplaintQueriesController_history: 'ComplaintHistory',
  ComplaintQueriesController_export: 'ComplaintExport',
  ComplaintQueriesController_integrity: 'ChainVerdict',
  ComplaintListController_list: 'ComplaintListPage',
  BreachesController_list: 'BreachesPage',
  TsmController_tsm: 'TsmStatistics',
  AnnualReportController_annual: 'AnnualReportBody',
  LedgerIntegrityController_verify: 'LedgerIntegrityBody',
  LedgerIntegrityController_checkpointKey: 'CheckpointKey',
  ResidentsController_erase: 'ErasureBody',
  ResidentsController_eraseNamedInPath: 'ErasureBody',
  HealthController_ready: 'ReadinessBody',
};

const isPublic = (path: string) => path.startsWith('/health/') || path.startsWith('/.well-known/');

/**
 * Completes what the decorators describe into the contract integrators build on: the problem
 * document and the command result as schemas; on every command the conditional and idempotency
 * headers, its `{ id, revision }` body with the `ETag`; on every operation the errors it can
 * answer, as `application/problem+json`; public operations marked as needing no credential. The
 * end-to-end suite checks every response it receives against the result.
 */
export function completeOpenApi(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  schemas.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', description: 'A URI naming the kind of problem' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      code: { type: 'string', description: "The ledger's code for the problem, e.g. `COMPLAINT.NOT_FOUND`" },
      provision: {
        type: 'string',
        description: "The Code provision a refusal rests on, in the numbering of the complaint's own Code version (`codeVersion`)",
      },
      codeVersion: {
        type: 'string',
        enum: ['2020', '2022', '2024'],
        description:
          'The version of the Code that governs what was refused (decisions 0003, 0019); with no `provision` when that version has none for it',
      },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['field', 'rule', 'message'],
          properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
  schemas.CommandResult = {
    type: 'object',
    required: ['id', 'revision'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The complaint' },
      revision: { type: 'integer', minimum: 0, description: 'Its revision now (also the `ETag`)' },
    },
  };
  for (const [name, schema] of Object.entries(responseSchemas)) {
    if (schemas[name]) throw new Error(`OpenAPI: a response schema and a request schema are both named ${name}`);
    schemas[name] = schema;
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) completeOperation(path, method, operation);
  }
  return document;
}

/** One operation: its success body, then (unless public) what a command adds and the errors it can answer. */
function completeOperation(path: string, method: string, operation: Operation): void {
  describeSuccess(path, operation);
  if (isPublic(path)) {
    operation.security = [];
    if (path.startsWith('/.well-known/')) operation.responses['404'] ??= problem('This ledger signs no checkpoints (no signing key)');
    return;
  }
  const command = operation.tags?.includes('commands') ?? false;
  const onComplaint = path.includes('{id}');
  const codes: (keyof typeof ERRORS)[] = [401, 403, 429];
  if (method === 'post') codes.push(400, 413, 415, 503);
  if (method === 'get' && operation.parameters?.length) codes.push(400);
  if (path.startsWith('/v1/residents/'))
    operation.responses['404'] ??= problem('No resident is recorded under this reference: nothing was erased');
  if (method === 'get' && READ_MODEL_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)))
    operation.responses['503'] ??= problem(
      'The read models were found disagreeing with the log and are being rebuilt from it (code READ_MODELS.REPAIRING): nothing is served from them meanwhile; retry shortly',
    );
  if (onComplaint || path.includes('{reference}')) codes.push(404);
  if (command) codes.push(409, 422);
  if (method === 'get' && onComplaint) codes.push(409); // a stored event that cannot be read, by revision
  if (command) {
    operation.parameters = [...(operation.parameters ?? []), ...(onComplaint ? [HEADERS.ifMatch] : []), HEADERS.idempotencyKey];
    if (onComplaint) codes.push(412);
    describeCommandResult(operation);
  }
  for (const code of [...new Set(codes)].sort()) operation.responses[String(code)] ??= ERRORS[code];
}

/** A query's 200 body by its named response type; the liveness answer and the report page, which have none. */
function describeSuccess(path: string, operation: Operation): void {
  const body = operation.operationId && QUERY_BODIES[operation.operationId];
  if (body) {
    const json = { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } };
    const html = path.startsWith('/v1/reports/annual') ? { 'text/html': { schema: { type: 'string' } } } : {};
    operation.responses['200'] = {
      ...operation.responses['200'],
      description: operation.responses['200']?.description ?? '',
      content: { ...json, ...html },
    };
    if (path === '/health/ready') operation.responses['503'] = { description: 'Not ready: the checks say why', content: json };
  }
  if (operation.operationId === 'HealthController_live')
    operation.responses['200'] = {
      description: 'The process is up',
      content: {
        'application/json': {
          schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
        },
      },
    };
  if (operation.operationId === 'AnnualReportController_page')
    operation.responses['200'] = { description: 'The report as a page', content: { 'text/html': { schema: { type: 'string' } } } };
}

/** Every 2xx of a command: `{ id, revision }`, with the `ETag` (and `Location` on 201). */
function describeCommandResult(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!status.startsWith('2')) continue;
    Object.assign(response, {
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } } },
      headers: {
        ETag: { description: "The complaint's revision, quoted", schema: { type: 'string' } },
        ...(status === '201' ? { Location: { description: 'The complaint', schema: { type: 'string' } } } : {}),
      },
    });
  }
}
