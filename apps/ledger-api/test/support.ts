import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig, type LedgerConfig } from '@complaint-ledger/ledger';
import { EventStoreDbEventStore, eventKeyOf, type EventStore } from '@complaint-ledger/event-store';
import { checkResponsesAgainstOpenApi, openApiMismatches } from './openapi-conformance';

// every end-to-end file checks what it received against the OpenAPI document the app serves
afterAll(() => expect(openApiMismatches.splice(0)).toEqual([]));

export const NOW = '2026-11-23T12:00:00.000Z';

/** One key per role, plus one holding them all for the tests that are not about roles. */
export const KEYS = {
  case_handler: 'test-case-handler-key-0123456789abcdef',
  auditor: 'test-auditor-key-0123456789abcdefghijk',
  analyst: 'test-analyst-key-0123456789abcdefghijk',
  admin: 'test-admin-key-0123456789abcdefghijklmn',
  all: 'test-every-role-key-0123456789abcdefghij',
} as const;
export const TEST_API_KEYS = [
  `case-system:case_handler:${KEYS.case_handler}`,
  `audit-team:auditor:${KEYS.auditor}`,
  `analytics:analyst:${KEYS.analyst}`,
  `dpo:admin:${KEYS.admin}`,
  `test-suite:case_handler+auditor+analyst+admin:${KEYS.all}`,
].join(',');
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/** Requests to the app over real HTTP, as the all-roles test principal. */
export const api = (app: NestFastifyApplication, key: string = KEYS.all) => request.agent(app.getHttpServer()).set('X-API-Key', key);

export const tempSqlitePath = () => join(mkdtempSync(join(tmpdir(), 'ledger-e2e-')), 'ledger.sqlite');

/** The tests' configuration: a fresh SQLite file, no timed breach sweeps (tests sweep explicitly), the test keys; `env` overrides. */
export const testConfig = (env: Record<string, string> = {}) =>
  loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: tempSqlitePath(),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    ...env,
  });

/** The real app built from `config` (on `store` if given), initialised and ready for requests over real HTTP. */
export async function startAppWith(
  config: LedgerConfig,
  options: { clock?: () => string; store?: EventStore } = {},
): Promise<NestFastifyApplication> {
  const app = await createApp({ config, clock: options.clock ?? (() => NOW), store: options.store, logger: false });
  checkResponsesAgainstOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** The real app over real HTTP, on a SQLite file, with a fixed clock. */
export const startApp = (env: Record<string, string> = {}, clock = () => NOW) => startAppWith(testConfig(env), { clock });

/**
 * A complaint as a housing system sends it. Each body is a new complaint (its summary numbered):
 * the same request sent again from the same credential is taken as a retry of the first, and
 * answers what that one recorded (docs/integration.md, "Retries").
 */
let complaints = 0;
export const complaintBody = (extra: object = {}) => ({
  receivedAt: '2024-05-01T10:00:00+01:00',
  channel: 'email',
  tenure: 'LCRA',
  category: 'repairs',
  summary: `Leak under the kitchen sink reported three times and not repaired (${++complaints})`,
  resident: { reference: 'RES-1001', name: 'Sam Resident' },
  ...extra,
});

/** supertest's parser for a body read as bytes (a document, a ZIP). */
export function binary(response: unknown, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  (response as NodeJS.ReadableStream).on('data', (chunk: Buffer) => chunks.push(chunk));
  (response as NodeJS.ReadableStream).on('end', () => done(null, Buffer.concat(chunks)));
}

/** A document attached to complaint `id` (its bytes the body, its description the query, a response letter unless told): the request. */
export const uploadDocument = (app: NestFastifyApplication, id: string, bytes: Buffer, query: Record<string, string> = {}) =>
  api(app, KEYS.case_handler)
    .post(`/v1/complaints/${id}/documents`)
    .query({ title: 'Stage 1 response letter', kind: 'letter_to_resident', direction: 'outbound', dated: '2024-05-20', ...query })
    .set('content-type', 'application/octet-stream')
    .send(bytes);

/**
 * A ledger's settings on an EventStoreDB server (the stand-in), writing under an event key of its
 * own; `signedStore` is a client writing as the ledger does (its events authenticated), `secret` the key.
 */
export function onEventStoreDbWithEventKey(connectionString: string, extra: Record<string, string> = {}) {
  const secret = randomBytes(32);
  const eventKeyFile = join(mkdtempSync(join(tmpdir(), 'ledger-event-key-')), 'event-key');
  writeFileSync(eventKeyFile, `${secret.toString('base64')}\n`, { mode: 0o600 });
  const config = testConfig({
    LEDGER_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: connectionString,
    LEDGER_PROJECTIONS_PATH: ':memory:',
    LEDGER_KEYS_PATH: ':memory:',
    LEDGER_EVENT_KEY_FILE: eventKeyFile,
    ...extra,
  });
  const signedStore = () => EventStoreDbEventStore.connect(connectionString, { clock: () => NOW, eventKey: eventKeyOf(secret) });
  return { config, secret, signedStore };
}
