import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { securityHeaders } from '../src/http/security-headers';

/**
 * Headers that are HTTP's own, or hardening every response carries whatever it is (the document's
 * description names them): not part of any one operation's contract.
 */
const NOT_AN_OPERATION_HEADER = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  // CORS, when an origin is configured (LEDGER_CORS_ORIGINS): the same on every response to that origin
  'vary',
  'access-control-allow-origin',
  'access-control-expose-headers',
  ...Object.keys(securityHeaders()),
]);

type Responses = Record<string, { content?: Record<string, { schema?: object }>; headers?: Record<string, object> }>;
type Document = { paths: Record<string, Record<string, { responses: Responses }>>; components: object };

/** What the end-to-end suite received that the served OpenAPI document does not describe. */
export const openApiMismatches: string[] = [];
/** How many responses were checked (in this test file). */
export const openApiChecked = { responses: 0 };

/**
 * Checks every response an end-to-end test receives against the OpenAPI document the app serves:
 * the operation documents that status (or a default), the content type is one it lists, and a
 * JSON body validates against the schema given, and every header it sends (but HTTP's own and the
 * security headers) is one the response documents. Routes the document leaves out on purpose (the
 * console, /docs, /metrics) and URLs no route matches are not checked.
 */
export function checkResponsesAgainstOpenApi(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  let document: Promise<{ doc: Document; ajv: Ajv }> | undefined;
  const validators = new Map<string, ValidateFunction>();
  fastify.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (!route || route.startsWith('/docs')) return payload;
    document ??= fastify.inject({ method: 'GET', url: '/docs-json' }).then((response) => {
      const doc = response.json() as Document;
      const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
      ajv.addSchema({ $id: 'openapi', components: doc.components });
      return { doc, ajv };
    });
    const { doc, ajv } = await document;
    const path = route.replace(/:(\w+)/g, '{$1}');
    const method = request.method.toLowerCase();
    const operation = doc.paths[path]?.[method];
    if (!operation) return payload;
    openApiChecked.responses += 1;
    const status = String(reply.statusCode);
    const where = `${request.method} ${path} → ${status}`;
    const response = operation.responses[status] ?? operation.responses.default;
    if (!response) {
      openApiMismatches.push(`${where}: status not documented`);
      return payload;
    }
    const documented = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
    const undocumented = Object.keys(reply.getHeaders()).filter((name) => !NOT_AN_OPERATION_HEADER.has(name) && !documented.has(name));
    if (undocumented.length) openApiMismatches.push(`${where}: header(s) not documented: ${undocumented.join(', ')}`);
    const type = String(reply.getHeader('content-type') ?? '').split(';')[0]!;
    if (!response.content || !payload) return payload;
    const media = response.content[type];
    if (!media) {
      openApiMismatches.push(`${where}: content type ${type || '(none)'} not among ${Object.keys(response.content).join(', ')}`);
      return payload;
    }
    if (media.schema && typeof payload === 'string' && /json$/.test(type)) {
      const key = `${path}|${method}|${status}|${type}`;
      let validate = validators.get(key);
      if (!validate) {
        try {
          validate = ajv.compile(JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi#/components/')) as object);
        } catch (error) {
          openApiMismatches.push(`${where}: the documented schema does not compile (${(error as Error).message})`);
          return payload;
        }
        validators.set(key, validate);
      }
      if (!validate(JSON.parse(payload))) openApiMismatches.push(`${where}: body ${ajv.errorsText(validate.errors)}`);
    }
    return payload;
  });
}
