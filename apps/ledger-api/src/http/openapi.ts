import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { DOCUMENT_MEDIA_TYPES } from '@complaint-ledger/domain';
import { PROBLEM_TYPE_PREFIX } from './problem';
// generated from ./responses.ts by npm run contracts:generate (tools/contracts/response-schemas.ts)
import responseSchemas from './response-schemas.json';

type Response = { description: string; content?: object; headers?: Record<string, object> };
type Operation = {
  operationId?: string;
  tags?: string[];
  parameters?: object[];
  responses: Record<string, Response>;
  requestBody?: object;
  summary?: string;
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
    "The store is unavailable, the ledger's integrity is broken, or this instance's clock is further from the event store's than LEDGER_MAX_CLOCK_OFFSET_MS allows (code CLOCK.OFFSET, naming the offset: send the command to another instance); nothing was recorded. Or the store did not confirm the write (code STORE.OUTCOME_UNKNOWN: it may have been recorded; send the same request again to learn which). Or the ledger is still verifying its log at start and the complaint carries no MAC (code LEDGER.VERIFYING, with `Retry-After`): nothing was recorded",
  ),
} as const;

/** The request headers the API reads. */
const REQUEST_HEADERS = {
  ifMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The complaint\'s revision this command was decided on, as its `ETag` gave it (`"3"`): the command is refused with 412 if the complaint moved on. The revision is the last fact people recorded: the ledger\'s own facts (a breach the sweep records, an erasure) do not move it. `*` asks only that the complaint exist (RFC 9110): the command is decided on it as it is, as without the header. Without it, a concurrent change is re-read and the command decided again.',
    schema: { type: 'string', pattern: '^("\\d+"|\\*)$', example: '"0"' },
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      "Makes a retry safe: the same key with the same body answers as the first time and records nothing more (`Idempotent-Replayed: true`); with another body, 422. Letters, digits, `.`, `:`, `_` and `-` (a UUID is ideal); not beginning `derived:`, which names the ledger's own keys for requests sent without one.",
    schema: { type: 'string', pattern: '^[\\w.:-]{1,200}$' },
  },
  correlationId: {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description:
      "Recorded in each event the request writes (its `correlationId`, also on Kafka), to tie them to the caller's own records; 1–100 letters, digits, `.`, `:`, `_` or `-`, not reading as a telephone number (it is kept and published for good). Without it (or with another value) the ledger makes one up.",
    schema: { type: 'string', pattern: '^[\\w.:-]{1,100}$' },
  },
  traceparent: {
    name: 'traceparent',
    in: 'header',
    required: false,
    description:
      "W3C Trace Context: when the ledger exports traces (LEDGER_OTLP_TRACES_URL), the request's spans continue this trace, and so do the Kafka messages its events become. Ignored otherwise, and when malformed.",
    schema: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
  },
} as const;

/** The response headers the API sends, each described once (components.headers) and referred to where sent. */
const RESPONSE_HEADERS: Record<string, { description: string; schema: object }> = {
  ETag: {
    description:
      'The complaint\'s revision, quoted (`"3"`): send it back as `If-Match`. It names the last fact people recorded, so the ledger\'s own facts do not move it.',
    schema: { type: 'string', pattern: '^"\\d+"$' },
  },
  'Idempotent-Replayed': {
    description: 'Present (`true`) when this answer is the first answer to the same request sent again: nothing more was recorded.',
    schema: { type: 'string', enum: ['true'] },
  },
  Location: { description: 'The complaint recorded', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before sending again', schema: { type: 'integer', minimum: 0 } },
  'Cache-Control': {
    description:
      "`no-store` on every answer of the API: each is for the credential that asked (residents' personal data, read for a role, erasable), and no cache may keep it or serve it to another",
    schema: { type: 'string', enum: ['no-store'] },
  },
  'WWW-Authenticate': {
    description: 'The scheme to authenticate with (`Bearer`; an `X-API-Key` header works too)',
    schema: { type: 'string' },
  },
  'Content-Disposition': {
    description: 'Names the file a browser saves it as: `complaint-<id>.json`, `evidence-pack-…zip`, `document-<id>`',
    schema: { type: 'string' },
  },
  Digest: {
    description: "The document's SHA-256 as RFC 3230 says (`sha-256=<base64>`), checked before it was sent",
    schema: { type: 'string' },
  },
  'X-Content-SHA256': {
    description: "The document's SHA-256 in hex, as its DocumentAttached event records it",
    schema: { type: 'string' },
  },
  'X-Correlation-Id': {
    description:
      "The request's correlation id: the caller's `X-Correlation-Id` when it was well formed, else one the ledger made. Recorded in each event the request wrote and in the service's log line for the request.",
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': { description: 'Requests a client may send per minute (LEDGER_RATE_LIMIT_PER_MINUTE)', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the current minute ends', schema: { type: 'integer' } },
};
const header = (name: keyof typeof RESPONSE_HEADERS) => ({ [name]: { $ref: `#/components/headers/${name}` } });
const RATE_LIMIT_HEADERS = { ...header('X-RateLimit-Limit'), ...header('X-RateLimit-Remaining'), ...header('X-RateLimit-Reset') };

/** The queries answered from the read models, refused while they are rebuilt after disagreeing with the log. */
const READ_MODEL_PATHS = ['/v1/complaints', '/v1/breaches', '/v1/statistics/tsm', '/v1/reports/annual'];

/** Which response type each query answers with (its 2xx body), by operation id. */
const QUERY_BODIES: Record<string, keyof typeof responseSchemas> = {
  GetComplaint: 'ComplaintView',
  GetComplaintHistory: 'ComplaintHistory',
  ExportComplaint: 'ComplaintExport',
  VerifyComplaintChain: 'ChainVerdict',
  ListComplaints: 'ComplaintListPage',
  ListBreaches: 'BreachesPage',
  GetTsmStatistics: 'TsmStatistics',
  GetAnnualReport: 'AnnualReportBody',
  VerifyLedger: 'LedgerIntegrityBody',
  GetCheckpointKey: 'CheckpointKey',
  ErasePersonalData: 'ErasureBody',
  ErasePersonalDataNamedInPath: 'ErasureBody',
  GetReadiness: 'ReadinessBody',
  GetLedgerConsistency: 'LedgerConsistency',
  ListComplaintDocuments: 'ComplaintDocuments',
  GetImport: 'ImportStatusBody',
  SaveImportMapping: 'MappingSaved',
};

/** Bodies of what is created (201) outside the command routes' `{ id, revision }`. */
const CREATED_BODIES: Record<string, keyof typeof responseSchemas> = { AttachDocument: 'AttachedDocument' };

/** The groups operations are listed in, in this order. */
const TAGS = [
  {
    name: 'commands',
    description:
      "Record a fact of a complaint's life (operation named after the command). Each answers `{ id, revision }` with an `ETag`; safe to retry.",
  },
  {
    name: 'queries',
    description:
      'A complaint now or at a point in time (`asOf`: business time; `knownAt`: record time), the list, breaches, TSM statistics',
  },
  { name: 'reports', description: 'The annual complaints performance and service improvement report (Code 8.1–8.2)' },
  { name: 'integrity', description: "The whole log's hash chain and signed checkpoints" },
  { name: 'residents', description: "Erasure of a resident's personal data (UK GDPR)" },
  { name: 'operations', description: 'Health probes (no credential)' },
];

/**
 * The OpenAPI document the API serves at `/docs-json` (and `apps/ledger-api/openapi.json`, checked
 * by a test and linted by Redocly in `npm run lint`): what the decorators say, completed.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('complaint-ledger')
    .setDescription(
      'Event-sourced ledger of social-housing complaints under the Housing Ombudsman\'s Complaint Handling Code. Every call but the health probes needs a credential: an API key (`X-API-Key` or `Authorization: Bearer`) or, where configured, a JWT. Errors are `application/problem+json`; every response also carries the security headers of docs/operations.md ("The HTTP edge").',
    )
    .setVersion('1')
    .addServer('/', 'This service: the one serving this document (npm start: http://localhost:3000, or the PORT it was given)')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: API_KEY_HELP }, 'api-key')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: `${API_KEY_HELP} A JWT from the landlord's identity provider, where configured (LEDGER_JWT_JWKS_URL).`,
      },
      'bearer',
    )
    .addSecurityRequirements('api-key')
    .addSecurityRequirements('bearer');
  for (const { name, description } of TAGS) builder.addTag(name, description);
  return completeOpenApi(SwaggerModule.createDocument(app, builder.build()));
}

const API_KEY_HELP =
  "An API key. On a fresh clone `npm start` writes one per role to `./data/local-api-keys` (lines `name:role:key`); a deployment's come from `LEDGER_API_KEYS` or `LEDGER_API_KEYS_FILE`. Roles: case_handler (commands), auditor (everything read), analyst (statistics, breaches, report), admin (erasure).";

const isPublic = (path: string) => path.startsWith('/health/') || path.startsWith('/.well-known/');

/**
 * Completes what the decorators describe into the contract integrators build on: the problem
 * document and the command result as schemas; on every command the conditional and idempotency
 * headers, its `{ id, revision }` body with the `ETag`; on every operation the errors it can
 * answer, as `application/problem+json`; public operations marked as needing no credential. The
 * end-to-end suite checks every response it receives against the result.
 */
export function completeOpenApi(document: OpenAPIObject): OpenAPIObject {
  document.info.license = { name: 'UNLICENSED' }; // as package.json: not licensed to others, so there is no licence text to link to
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  schemas.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        description: `A URI naming the kind of problem: \`${PROBLEM_TYPE_PREFIX}\` and the code in lower case with dashes (\`${PROBLEM_TYPE_PREFIX}complaint-not-found\`), a name to compare, not a page; \`about:blank\` for an internal error`,
      },
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
    required: ['id', 'revision', 'position'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The complaint' },
      revision: { type: 'integer', minimum: 0, description: 'Its revision now: what the `ETag` names, and `If-Match` takes' },
      position: {
        type: 'integer',
        minimum: -1,
        description:
          "The log position of the complaint's last event: pass it as `minPosition` to a list, breaches, TSM or the report to read your own write, on any replica",
      },
    },
  };
  document.components.headers = { ...RESPONSE_HEADERS };
  // the generated JSON, as JSON: TypeScript's inference of its unions' members (a member one branch lacks typed `?: undefined`) is not a schema's type
  for (const [name, schema] of Object.entries(responseSchemas as Record<string, object>)) {
    if (schemas[name]) throw new Error(`OpenAPI: a response schema and a request schema are both named ${name}`);
    schemas[name] = schema;
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) completeOperation(path, method, operation);
  }
  return document;
}

/**
 * What the HTTP edge refuses before any route or hook sees the request, so with none of the
 * headers an operation's answers carry: a path segment longer than any id (414), headers over
 * 16 KB (431, answered by Node's parser).
 */
function describeEdgeRefusals(path: string, operation: Operation): void {
  if (path.includes('{')) operation.responses['414'] ??= problem('A segment of the URL path is longer than any this API accepts');
  operation.responses['431'] ??= problem('The request headers are larger than this server accepts (16 KB in all)');
}

/** One operation: its success body, then (unless public) what a command adds, the errors it can answer and the headers sent. */
function completeOperation(path: string, method: string, operation: Operation): void {
  describeSuccess(path, operation);
  completeByRole(path, method, operation);
  describeEdgeRefusals(path, operation);
}

function completeByRole(path: string, method: string, operation: Operation): void {
  if (isPublic(path)) {
    operation.security = [];
    if (path.startsWith('/.well-known/')) {
      operation.responses['404'] ??= problem('This ledger signs no checkpoints (no signing key)');
      operation.responses['429'] ??= { ...ERRORS[429] };
      describeHeadersSent(operation, path); // rate-limited like the rest (the health probes are not)
    } else
      for (const response of Object.values(operation.responses)) response.headers = { ...response.headers, ...header('X-Correlation-Id') };
    return;
  }
  const command = operation.tags?.includes('commands') ?? false;
  const onComplaint = path.includes('{id}');
  const codes: (keyof typeof ERRORS)[] = [401, 403, 429];
  if (method === 'post') codes.push(400, 413, 415, 503);
  if (method === 'put') codes.push(400);
  if (method === 'get' && operation.parameters?.length) codes.push(400);
  if (path.startsWith('/v1/residents/'))
    operation.responses['404'] ??= problem('No resident is recorded under this reference: nothing was erased');
  if (method === 'get' && READ_MODEL_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)))
    operation.responses['503'] ??= problem(
      'The read models were found disagreeing with the log and are being rebuilt from it (code READ_MODELS.REPAIRING): nothing is served from them meanwhile; retry shortly',
    );
  if (method === 'post' && path === '/v1/imports')
    operation.responses['413'] ??= problem('The file is larger than LEDGER_IMPORT_MAX_MB (2 GiB by default): nothing was imported');
  if (method === 'get' && onComplaint && !path.startsWith('/v1/imports'))
    operation.responses['503'] ??= problem(
      'The ledger is still verifying its log at start, and this complaint carries no MAC: whether the ledger wrote it is not known yet (code LEDGER.VERIFYING); retry after `Retry-After`',
    );
  if (onComplaint || path.includes('{reference}')) codes.push(404);
  if (command) codes.push(409, 422);
  if (method === 'get' && onComplaint && !path.startsWith('/v1/imports')) codes.push(409); // a stored event that cannot be read, by revision
  if (command) {
    operation.parameters = [
      ...(operation.parameters ?? []),
      ...(onComplaint ? [REQUEST_HEADERS.ifMatch] : []),
      REQUEST_HEADERS.idempotencyKey,
    ];
    if (onComplaint) codes.push(412);
    if (path === '/v1/complaints')
      operation.responses['412'] ??= problem(
        '`If-Match` names a revision, and the complaint is not there yet: a receipt has nothing to match',
      );
    describeCommandResult(operation);
  }
  // what the request writes carries its correlation id: commands and erasure
  if (method === 'post') operation.parameters = [...(operation.parameters ?? []), REQUEST_HEADERS.correlationId];
  operation.parameters = [...(operation.parameters ?? []), REQUEST_HEADERS.traceparent];
  for (const code of [...new Set(codes)].sort()) operation.responses[String(code)] ??= { ...ERRORS[code] };
  describeHeadersSent(operation, path);
}

/** The headers each response carries: the rate limit's (but on 429, which says when to come back), the challenge on 401. */
function describeHeadersSent(operation: Operation, path: string): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    response.headers = { ...response.headers, ...header('X-Correlation-Id'), ...(path.startsWith('/v1/') ? header('Cache-Control') : {}) };
    if (status === '429') response.headers = { ...response.headers, ...header('Retry-After') };
    else if (status === '503') response.headers = { ...response.headers, ...RATE_LIMIT_HEADERS, ...header('Retry-After') };
    else response.headers = { ...response.headers, ...RATE_LIMIT_HEADERS, ...(status === '401' ? header('WWW-Authenticate') : {}) };
  }
  const success = operation.responses['200'];
  if (operation.operationId === 'GetComplaint' && success) success.headers = { ...header('ETag'), ...success.headers };
  if ((operation.operationId === 'ExportComplaint' || operation.operationId === 'ExportEvidencePack') && success)
    success.headers = { ...header('Content-Disposition'), ...success.headers };
  if (operation.operationId === 'GetComplaintDocument' && success) {
    success.headers = { ...header('Content-Disposition'), ...header('Digest'), ...header('X-Content-SHA256'), ...success.headers };
    // the document's own type, as the ledger found it from its bytes when it was attached
    const binary = { schema: { type: 'string', format: 'binary' } };
    success.content = Object.fromEntries(DOCUMENT_MEDIA_TYPES.map((type) => [type, binary]));
  }
  const attached = operation.responses['201'];
  if (operation.operationId === 'AttachDocument' && attached)
    attached.headers = { ...header('ETag'), ...header('Idempotent-Replayed'), ...attached.headers };
}

/** A query's 200 body by its named response type; the liveness answer and the report page, which have none. */
function describeSuccess(path: string, operation: Operation): void {
  const body = operation.operationId && QUERY_BODIES[operation.operationId];
  if (body) {
    const json = { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } };
    const html = path.startsWith('/v1/reports/annual') ? { 'text/html': { schema: { type: 'string' } } } : {};
    operation.responses['200'] = {
      ...operation.responses['200'],
      description: operation.responses['200']?.description || (operation.summary ?? ''),
      content: { ...json, ...html },
    };
    if (path === '/health/ready') operation.responses['503'] = { description: 'Not ready: the checks say why', content: json };
  }
  const created = operation.operationId && CREATED_BODIES[operation.operationId];
  if (created)
    operation.responses['201'] = {
      description: operation.responses['201']?.description ?? '',
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${created}` } } },
    };
  if (operation.operationId === 'GetLiveness')
    operation.responses['200'] = {
      description: 'The process is up',
      content: {
        'application/json': {
          schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
        },
      },
    };
  if (operation.operationId === 'GetAnnualReportPage')
    operation.responses['200'] = { description: 'The report as a page', content: { 'text/html': { schema: { type: 'string' } } } };
  describeImport(operation);
}

/** The import's own answers: 202 with where its progress is, 409 while the same file is being imported, its report as a page or CSV. */
function describeImport(operation: Operation): void {
  const text = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' } } } });
  switch (operation.operationId) {
    case 'ImportHistory':
      operation.responses['202'] = {
        description: 'Begun (or resumed): the file is imported in the background',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ImportAccepted' } } },
        headers: { Location: { description: 'The import', schema: { type: 'string' } } },
      };
      operation.responses['409'] = problem('This file is being imported now (code IMPORT.RUNNING)');
      operation.responses['415'] = problem('The body is not `text/csv` or JSON Lines (`application/x-ndjson`)');
      break;
    case 'GetImportReport':
      operation.responses['200'] = text('text/html', 'The report as a page');
      break;
    case 'ExportImportReport':
      operation.responses['200'] = text('text/csv', 'A row of the report for each row of the file');
      break;
    case 'ExportImportBreaches':
      operation.responses['200'] = text('text/csv', 'Every deadline the history shows missed or met late');
      break;
  }
}

/** Every 2xx of a command: `{ id, revision }`, with the `ETag`, whether it was replayed, and `Location` on 201. */
function describeCommandResult(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!status.startsWith('2')) continue;
    Object.assign(response, {
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } } },
      headers: { ...header('ETag'), ...header('Idempotent-Replayed'), ...(status === '201' ? header('Location') : {}) },
    });
  }
}
