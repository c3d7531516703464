import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openApiChecked } from './openapi-conformance';
import { ROUTED_COMMANDS } from '../src/complaints/command-registry';
import { KEYS, startApp } from './support';

type Document = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        tags: string[];
        parameters?: { name: string; description: string }[];
        responses: Record<string, { headers?: Record<string, unknown> }>;
      }
    >
  >;
};

let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp()));
afterAll(async () => app.close());

describe('the served OpenAPI document', () => {
  it("is a valid OpenAPI 3.0 document (checked against the specification's own JSON Schema)", async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.valid ? null : result.errors).toBeNull();
    expect(validator.version).toBe('3.0');
    // and the check can fail: a response without its description is not OpenAPI
    const broken = structuredClone(document);
    delete broken.paths['/v1/complaints'].post.responses['201'].description;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('refers only to schemas it defines (nested bodies such as a complaint’s resident included)', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]*)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((name) => !document.components.schemas[name])).toEqual([]);
    expect(document.components.schemas.ReceiveComplaintRequest.properties.resident).toEqual({ $ref: '#/components/schemas/ResidentDto' });
  });

  it('declares how to authenticate (an API key header, or a bearer token), for every operation', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    expect(Object.keys(document.components.securitySchemes)).toEqual(['api-key', 'bearer']);
    expect(document.security).toEqual([{ 'api-key': [] }, { bearer: [] }]);
  });
});

describe('the contract in the document', () => {
  const documentOf = async () => (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;

  it('every command documents If-Match (on an existing complaint), Idempotency-Key, its { id, revision } body with the ETag, and its problems', async () => {
    const document = await documentOf();
    const acknowledge = document.paths['/v1/complaints/{id}/acknowledgements'].post;
    expect(acknowledge.parameters.map((p: { name: string }) => p.name)).toEqual([
      'id',
      'If-Match',
      'Idempotency-Key',
      'X-Correlation-Id',
      'traceparent',
    ]);
    expect(acknowledge.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CommandResult' });
    expect(acknowledge.responses['200'].headers).toHaveProperty('ETag');
    expect(Object.keys(acknowledge.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      '414',
      '415',
      '422',
      '429',
      '431',
      '503',
    ]);
    expect(acknowledge.responses['409'].content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    const receive = document.paths['/v1/complaints'].post;
    expect(receive.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key', 'X-Correlation-Id', 'traceparent']);
    expect(receive.responses['201'].headers).toHaveProperty('Location');
  });

  it('every operation documents the body of its success, by a schema generated from the type it returns', async () => {
    const document = await documentOf();
    const missing: string[] = [];
    for (const [path, item] of Object.entries(
      document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>,
    ))
      for (const [method, operation] of Object.entries(item)) {
        const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))![1];
        if (!Object.values(success.content ?? {}).some((media) => media.schema)) missing.push(`${method} ${path}`);
      }
    expect(missing).toEqual([]);
    expect(document.paths['/v1/complaints/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ComplaintView',
    });
    expect(document.components.schemas.ComplaintView.required).toEqual(expect.arrayContaining(['id', 'revision', 'deadlines', 'findings']));
  });

  it('public operations need no credential; the rest list 401, 403 and 429', async () => {
    const document = await documentOf();
    expect(document.paths['/health/ready'].get.security).toEqual([]);
    expect(document.paths['/.well-known/complaint-ledger/checkpoint-key'].get.security).toEqual([]);
    // and 503 while the read models it is answered from are rebuilt after disagreeing with the log (decision 0023)
    expect(Object.keys(document.paths['/v1/statistics/tsm'].get.responses)).toEqual(['200', '400', '401', '403', '429', '431', '503']);
  });

  it('"Try it out" on POST /v1/complaints with each example it offers records a complaint (201)', async () => {
    const document = await documentOf();
    const examples = document.paths['/v1/complaints'].post.requestBody.content['application/json'].examples as Record<
      string,
      { value: object }
    >;
    expect(Object.keys(examples).length).toBeGreaterThanOrEqual(2);
    for (const { value } of Object.values(examples)) {
      const response = await request(app.getHttpServer()).post('/v1/complaints').set('X-API-Key', KEYS.case_handler).send(value);
      expect([response.status, response.body]).toEqual([201, { id: expect.any(String), revision: 0, position: expect.any(Number) }]);
    }
  });

  it('names operations one way: a command after its command type, a query verb first (Get, List, Export, Verify), all PascalCase', async () => {
    const document = (await documentOf()) as Document;
    const operations = Object.values(document.paths).flatMap((item) => Object.entries(item));
    const commands = operations
      .filter(([, operation]) => operation.tags.includes('commands'))
      .map(([, operation]) => operation.operationId);
    expect(commands.sort()).toEqual([...ROUTED_COMMANDS].sort());
    const others = operations.filter(([, operation]) => !operation.tags.includes('commands'));
    expect(
      others.filter(([method, operation]) => method === 'get' && !/^(Get|List|Export|Verify)[A-Z][A-Za-z]+$/.test(operation.operationId)),
    ).toEqual([]);
    expect(others.filter(([method]) => method !== 'get').map(([, operation]) => operation.operationId)).toEqual([
      'AttachDocument', // the domain's command, streamed rather than a JSON body
      'ErasePersonalData', // the domain's command, as the complaint commands are named
      'ErasePersonalDataNamedInPath',
      'ImportHistory', // a landlord's history, imported through the commands' decider
      'SaveImportMapping',
    ]);
  });

  it('documents the headers it reads (If-Match with *, Idempotency-Key, X-Correlation-Id) and sends (ETag on a read, Retry-After, Idempotent-Replayed, rate limits)', async () => {
    const document = (await documentOf()) as Document;
    const acknowledge = document.paths['/v1/complaints/{id}/acknowledgements']!.post!;
    expect(acknowledge.parameters!.map((p) => p.name)).toEqual(['id', 'If-Match', 'Idempotency-Key', 'X-Correlation-Id', 'traceparent']);
    expect(acknowledge.parameters!.find((p) => p.name === 'If-Match')!.description).toMatch(/`\*` asks only that the complaint exist/);
    expect(Object.keys(acknowledge.responses['200']!.headers!)).toEqual(
      expect.arrayContaining(['ETag', 'Idempotent-Replayed', 'X-RateLimit-Remaining']),
    );
    expect(Object.keys(acknowledge.responses['429']!.headers!)).toEqual(['X-Correlation-Id', 'Cache-Control', 'Retry-After']);
    expect(Object.keys(acknowledge.responses['401']!.headers!)).toContain('WWW-Authenticate');
    expect(Object.keys(document.paths['/v1/complaints/{id}']!.get!.responses['200']!.headers!)).toContain('ETag');
    // and every header a response of the end-to-end suite carries is checked against its documentation (openapi-conformance.ts)
  });

  it('every response this file received was checked against the document (the end-to-end suite does so everywhere)', () => {
    expect(openApiChecked.responses).toBeGreaterThanOrEqual(2); // the complaints posted above (the document itself is not checked against itself)
  });
});
